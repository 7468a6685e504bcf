-- wrk script for the bench: counts answers by HTTP status and prints one JSON line at the end.
--
-- GET mode (no arguments): requests the URL given to wrk, headers from -H.
-- POST mode: wrk ... -s bench/wrk.lua URL -- BODIES PREFIX
--   BODIES is a file of url-encoded form bodies, one a line, each holding "@TOKEN@" where a
--   fresh one-time submission token goes (PREFIX, thread number, request number: unique per
--   run); bodies are used in turn, again from the first when all were sent.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

statuses = {}
local bodies = {}
local sent = 0
local prefix = nil

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      bodies[#bodies + 1] = line
    end
    prefix = args[2]
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

function request()
  if prefix == nil then
    return wrk.request()
  end
  sent = sent + 1
  local token = string.format("%s-%02d-%010d", prefix, id, sent)
  local body = string.gsub(bodies[(sent - 1) % #bodies + 1], "@TOKEN@", token)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for status, n in pairs(counted) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, table.concat(parts, ", ")))
end

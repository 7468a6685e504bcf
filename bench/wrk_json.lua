-- wrk script for the bench's JSON posts: the counting and the JSON line of bench/wrk.lua, with
-- every request a POST of one JSON body.
--   wrk ... -s bench/wrk_json.lua URL -- BODY_FILE
-- Headers (Authorization...) come from -H as usual.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "wrk.lua")

function init(args)
  local file = assert(io.open(args[1], "r"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.request()
end

/* The survey, improved when JavaScript runs; it works entirely without (docs/decisions.md
   #answers-in-the-browser). No framework, no inline code: the page's CSP allows scripts from
   the app only.
   - Answers are kept in the browser's storage as they are typed (never the consent, the
     honeypot or the stamp), brought back after a reload or a crash with a notice and a
     "start again" button, and forgotten once the survey is sent.
   - "Send" goes through fetch: when the connection is lost the page keeps its answers, says
     so in its language (texts rendered by the server) and sends again when the connection
     returns, with the same one-time token, so the survey is stored once.
   - "Section 2 of 5" follows the reader. */
(function () {
  "use strict";

  var PREFIX = "iqp-survey:";
  var SKIPPED = ["csrf_token", "website", "consent", "draft", "invitation", "save"];
  var store = openStore();

  function openStore() {
    try {
      window.localStorage.setItem(PREFIX + "test", "1");
      window.localStorage.removeItem(PREFIX + "test");
      return window.localStorage;
    } catch (error) {
      return null; // storage off (private mode, a policy): the page works as without script
    }
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key));
    } catch (error) {
      return null;
    }
  }

  /* The thank-you page names the token it thanks for: forget the answers sent with it. */
  function forgetSent() {
    var sent = document.querySelector("[data-survey-sent]");
    if (!sent || !store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      var entry = key && key.indexOf(PREFIX) === 0 ? read(key) : null;
      if (entry && entry.token === sent.getAttribute("data-survey-sent")) store.removeItem(key);
    }
  }

  function Survey(form) {
    this.form = form;
    this.key = PREFIX + form.getAttribute("data-survey");
    this.token = form.elements.submission_token;
    this.pageToken = this.token.value;
    this.sending = false;
    this.waiting = false;
    this.connection = document.getElementById("survey-connection");
    this.restored = document.getElementById("survey-restored");
  }

  Survey.prototype.fields = function () {
    var fields = [];
    Array.prototype.forEach.call(this.form.elements, function (element) {
      var name = element.name;
      if (!name || SKIPPED.indexOf(name) >= 0 || element.type === "submit") return;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) return;
      fields.push([name, element.value]);
    });
    return fields;
  };

  Survey.prototype.keep = function (pending) {
    if (!store) return;
    var entry = { savedAt: Date.now(), token: this.token.value, pending: !!pending, fields: this.fields() };
    try {
      store.setItem(this.key, JSON.stringify(entry));
    } catch (error) {
      /* storage full: the answers stay on the page */
    }
  };

  Survey.prototype.forget = function () {
    if (store) store.removeItem(this.key);
  };

  Survey.prototype.restore = function () {
    var since = Number(this.form.getAttribute("data-restore"));
    var entry = store ? read(this.key) : null;
    if (!entry || !entry.fields || !(entry.savedAt > since)) return false;
    var typed = entry.fields.filter(function (field) {
      return field[0] !== "submission_token" && field[0] !== "preferred_language" && field[1];
    });
    if (!typed.length) return false;
    var values = {};
    entry.fields.forEach(function (field) {
      (values[field[0]] = values[field[0]] || []).push(field[1]);
    });
    Array.prototype.forEach.call(this.form.elements, function (element) {
      var name = element.name;
      if (!name || SKIPPED.indexOf(name) >= 0 || element.type === "submit" || element.type === "hidden") return;
      var given = values[name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = given.indexOf(element.value) >= 0;
      } else {
        element.value = given.length ? given[0] : "";
      }
    });
    /* A send that may have reached us keeps its token: sending again stores nothing twice. */
    if (entry.pending && entry.token) this.token.value = entry.token;
    return true;
  };

  Survey.prototype.startAgain = function () {
    this.forget();
    this.form.reset();
    this.token.value = this.pageToken;
    this.restored.hidden = true;
    var first = this.form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  };

  Survey.prototype.say = function (message) {
    this.connection.textContent = this.connection.getAttribute("data-" + message);
    this.connection.hidden = false;
    this.connection.scrollIntoView({ block: "nearest" });
  };

  Survey.prototype.send = function () {
    var survey = this;
    if (survey.sending) return;
    survey.sending = true;
    survey.keep(true);
    var body = new URLSearchParams(new FormData(survey.form));
    window
      .fetch(survey.form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(
        function (response) {
          if (response.redirected && response.url.indexOf("/survey/thanks/") >= 0) {
            survey.forget();
            window.location.assign(response.url);
            return null;
          }
          return response.text().then(function (html) {
            survey.sending = false;
            showPage(html);
          });
        },
        function () {
          survey.sending = false;
          survey.wait();
        }
      );
  };

  /* Offline, or the connection dropped on the way: keep everything, send again once the
     browser says the connection is back (or every 15 seconds, should it not say). */
  Survey.prototype.wait = function () {
    var survey = this;
    survey.say("offline");
    if (survey.waiting) return;
    survey.waiting = true;
    var timer;
    var again = function () {
      window.removeEventListener("online", again);
      window.clearInterval(timer);
      survey.waiting = false;
      survey.say("sending");
      survey.send();
    };
    timer = window.setInterval(function () {
      if (navigator.onLine !== false) again();
    }, 15000);
    window.addEventListener("online", again);
  };

  Survey.prototype.submitted = function (event) {
    if (!("submitter" in event)) return this.keep(false); /* an older browser: a plain post */
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("formaction")) {
      /* Save, or another language: an ordinary request, unless there is no connection. */
      this.keep(false);
      if (navigator.onLine === false && submitter.name === "save") {
        event.preventDefault();
        this.say("offline-save");
      }
      return;
    }
    event.preventDefault();
    this.send();
  };

  Survey.prototype.follow = function () {
    var counts = this.form.querySelectorAll("[data-progress]");
    var indicator = document.getElementById("survey-progress");
    var links = document.querySelectorAll(".survey-sections a");
    if (!counts.length || !indicator) return;
    var scheduled = false;
    var update = function () {
      scheduled = false;
      var current = 0;
      var line = window.innerHeight * 0.4;
      Array.prototype.forEach.call(counts, function (count, index) {
        if (count.parentNode.getBoundingClientRect().top <= line) current = index;
      });
      indicator.textContent = counts[current].getAttribute("data-progress");
      Array.prototype.forEach.call(links, function (link, index) {
        if (index === current) link.setAttribute("aria-current", "step");
        else link.removeAttribute("aria-current");
      });
    };
    indicator.hidden = false;
    update();
    window.addEventListener(
      "scroll",
      function () {
        if (!scheduled) {
          scheduled = true;
          window.requestAnimationFrame(update);
        }
      },
      { passive: true }
    );
  };

  Survey.prototype.start = function () {
    var survey = this;
    if (survey.form.hasAttribute("data-restore")) {
      if (survey.restore()) survey.restored.hidden = false;
    } else {
      survey.keep(false); /* a page answering a POST holds the latest answers */
    }
    survey.form.addEventListener("input", function () {
      survey.keep(false);
    });
    survey.form.addEventListener("change", function () {
      survey.keep(false);
    });
    survey.form.addEventListener("submit", function (event) {
      survey.submitted(event);
    });
    document.getElementById("survey-start-again").addEventListener("click", function () {
      survey.startAgain();
    });
    survey.follow();
  };

  /* The server's answer to a send that was not stored (answers to check, a rate limit): its
     main part replaces this one, as a page load would. */
  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main) return;
    document.title = page.title;
    document.querySelector("main").replaceWith(document.adoptNode(main));
    start();
    var focus = document.querySelector(".error-summary, main [autofocus], main h1");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  }

  function start() {
    forgetSent();
    var form = document.querySelector("form[data-survey]");
    if (form && window.fetch && window.URLSearchParams) new Survey(form).start();
  }

  start();
})();

// The rater console: keyboard-first rating, submit-and-next without a reload, a draft kept in
// localStorage, active time that pauses while the tab is hidden, and submits retried with the
// same submission_id (the server makes one judgment per id, so a lost response is harmless).
//
// The task panel is server-rendered HTML (auto-escaped); this file reads only data-* attributes
// and form controls, and writes only its own messages, always as textContent.
(function () {
  "use strict";
  const root = document.getElementById("console");
  if (!root) return;
  const panel = document.getElementById("task-panel");
  const status = document.getElementById("console-status");
  const help = document.getElementById("shortcuts");
  const DRAFT_PREFIX = "evalconsole:draft:";
  const DRAFT_MAX_AGE_MS = 3 * 24 * 60 * 60 * 1000;
  const RETRY_DELAYS_MS = [500, 1000, 2000, 4000];
  const MAX_ACTIVE_MS = 24 * 60 * 60 * 1000;

  let task = null; // the task on screen: its elements, submission id, timer and state
  let countdown = null;

  // --- Small helpers --------------------------------------------------------------------

  function say(text) {
    status.textContent = text;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newSubmissionId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not (a dev server on a LAN address).
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function postJson(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data),
    });
  }

  // localStorage can be full or switched off; the console still works, only without drafts.
  const drafts = {
    read: function (key) {
      try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (error) { return null; }
    },
    write: function (key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (error) { /* no drafts, then */ }
    },
    remove: function (key) {
      try { window.localStorage.removeItem(key); } catch (error) { /* nothing to remove */ }
    },
    prune: function () {
      try {
        for (let i = window.localStorage.length - 1; i >= 0; i--) {
          const key = window.localStorage.key(i);
          if (!key || key.indexOf(DRAFT_PREFIX) !== 0) continue;
          const draft = drafts.read(key);
          if (!draft || Date.now() - (draft.saved_at || 0) > DRAFT_MAX_AGE_MS) drafts.remove(key);
        }
      } catch (error) { /* storage unavailable */ }
    },
  };

  function isTyping(element) {
    if (!element || !element.tagName) return false;
    const tag = element.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || element.isContentEditable) return true;
    return tag === "input" && !["radio", "checkbox", "button", "submit", "reset"].includes(element.type);
  }

  // --- Active time: counts only while the tab is visible ----------------------------------

  function Timer(startMs) {
    this.base = startMs || 0;
    this.since = document.hidden ? null : performance.now();
  }
  Timer.prototype.ms = function () {
    const running = this.since === null ? 0 : performance.now() - this.since;
    return Math.min(MAX_ACTIVE_MS, Math.round(this.base + running));
  };
  Timer.prototype.pause = function () {
    if (this.since === null) return;
    this.base += performance.now() - this.since;
    this.since = null;
  };
  Timer.prototype.resume = function () {
    if (this.since === null) this.since = performance.now();
  };

  // --- The form: answers as the API wants them, and as a draft ----------------------------

  function answerOf(question) {
    const type = question.dataset.type;
    if (type === "text") {
      const box = question.querySelector("textarea");
      return box && box.value.trim() ? box.value : undefined;
    }
    if (type === "multi") {
      const chosen = Array.from(question.querySelectorAll("input:checked"), function (input) { return input.value; });
      return chosen.length ? chosen : undefined;
    }
    const input = question.querySelector("input:checked");
    if (!input) return undefined;
    if (type === "ordinal") return Number(input.value);
    if (type === "boolean") return input.value === "true";
    return input.value;
  }

  function answersIn(container) {
    const answers = {};
    container.querySelectorAll(".question[data-question]").forEach(function (question) {
      const value = answerOf(question);
      if (value !== undefined) answers[question.dataset.question] = value;
    });
    return answers;
  }

  function payload() {
    const results = {};
    task.form.querySelectorAll(".result-rating[data-doc]").forEach(function (group) {
      const answers = answersIn(group);
      if (Object.keys(answers).length) results[group.dataset.doc] = answers;
    });
    const pageQuestions = task.form.querySelector(".page-questions");
    const reason = task.form.querySelector("select[name=cannot_judge]");
    return {
      submission_id: task.submissionId,
      page: pageQuestions ? answersIn(pageQuestions) : {},
      results: results,
      cannot_judge: reason && reason.value ? reason.value : null,
      active_ms: task.timer.ms(),
    };
  }

  function controls(form) {
    return Array.from(form.querySelectorAll("input, textarea, select")).filter(function (control) {
      return control.name !== "csrfmiddlewaretoken";
    });
  }

  function fieldsOf(form) {
    const fields = {};
    controls(form).forEach(function (control) {
      const name = control.name || "#" + control.id;
      if (control.type === "checkbox") {
        fields[name] = fields[name] || [];
        if (control.checked) fields[name].push(control.value);
      } else if (control.type === "radio") {
        if (control.checked) fields[name] = control.value;
      } else {
        fields[name] = control.value;
      }
    });
    return fields;
  }

  function restore(form, fields) {
    let restored = false;
    controls(form).forEach(function (control) {
      const name = control.name || "#" + control.id;
      if (!(name in fields)) return;
      const value = fields[name];
      if (control.type === "checkbox") control.checked = Array.isArray(value) && value.includes(control.value);
      else if (control.type === "radio") control.checked = value === control.value;
      else control.value = value;
      restored = restored || control.checked || (control.type !== "radio" && control.type !== "checkbox" && value);
    });
    return restored;
  }

  function saveDraft() {
    if (!task || task.done) return;
    drafts.write(task.key, {
      submission_id: task.submissionId,
      active_ms: task.timer.ms(),
      fields: fieldsOf(task.form),
      saved_at: Date.now(),
    });
  }

  // --- Results: focus, rating by digit, reveal ------------------------------------------

  function results() {
    return task ? Array.from(task.section.querySelectorAll(".serp-result")) : [];
  }

  function setCurrent(result) {
    if (!task || !result) return;
    if (task.current) task.current.classList.remove("focused");
    task.current = result;
    result.classList.add("focused");
  }

  function focusResult(result) {
    if (!result) return;
    setCurrent(result);
    result.focus();
  }

  function move(step) {
    const all = results();
    if (!all.length) return;
    const index = all.indexOf(task.current);
    const next = index === -1 ? all[0] : all[Math.min(all.length - 1, Math.max(0, index + step))];
    focusResult(next);
  }

  function groupFor(result) {
    const doc = result.dataset.doc;
    return Array.from(task.form.querySelectorAll(".result-rating[data-doc]")).find(function (group) {
      return group.dataset.doc === doc;
    });
  }

  // A digit picks the option whose value it is on a 0-9 scale, otherwise the option at that
  // position (1 = first, 0 = tenth); in a multi question it ticks or unticks that tag.
  function applyDigit(question, digit) {
    const inputs = Array.from(question.querySelectorAll("input[type=radio], input[type=checkbox]"));
    if (!inputs.length) return;
    const byValue = question.dataset.type === "ordinal" && inputs.every(function (i) { return /^[0-9]$/.test(i.value); });
    const input = byValue
      ? inputs.find(function (i) { return i.value === String(digit); })
      : inputs[(digit === 0 ? 10 : digit) - 1];
    if (!input) return;
    input.checked = input.type === "checkbox" ? !input.checked : true;
    if (question.contains(document.activeElement)) input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function rateDigit(target, digit) {
    const pageQuestion = target.closest && target.closest(".page-questions .question");
    if (pageQuestion) return applyDigit(pageQuestion, digit);
    if (!task.form.querySelector(".result-rating")) {
      // Nothing to rate per result (side by side): digits answer the first page scale.
      const first = task.form.querySelector('.page-questions .question:is([data-type="ordinal"], [data-type="categorical"])');
      if (first) applyDigit(first, digit);
      return;
    }
    if (!task.current) return;
    const group = groupFor(task.current);
    const question = group && group.querySelector('.question[data-type="ordinal"]');
    if (question) applyDigit(question, digit);
  }

  function focusQuestion(question) {
    if (!question) return;
    const control = question.querySelector("input:checked") || question.querySelector("input, textarea, select");
    if (control) control.focus();
  }

  // --- Errors from the server, named the way the rater sees the task ----------------------

  function questionLabel(question) {
    const legend = question.querySelector("legend, label[for]");
    return legend ? legend.textContent.replace("*", "").trim() : question.dataset.question;
  }

  function describeProblem(text) {
    let match = /^page\.([a-z0-9_]+): (.*)$/.exec(text);
    if (match) {
      const question = Array.from(task.form.querySelectorAll(".page-questions .question")).find(function (q) {
        return q.dataset.question === match[1];
      });
      if (question) return { text: questionLabel(question) + ": " + match[2], target: question };
    }
    match = /^results\[("(?:[^"\\]|\\.)*")\](?:\.([a-z0-9_]+))?: (.*)$/.exec(text);
    if (match) {
      let doc = null;
      try { doc = JSON.parse(match[1]); } catch (error) { doc = null; }
      const all = results();
      const card = all.find(function (c) { return c.dataset.doc === doc; });
      if (card) {
        const side = card.closest(".task-page").dataset.side;
        const name = "Result " + (Array.from(card.parentNode.children).indexOf(card) + 1) + (side ? " (" + side + ")" : "");
        return { text: name + ": " + match[3], target: card };
      }
    }
    return { text: text, target: null };
  }

  function showErrors(messages) {
    const box = task.section.querySelector("#task-errors");
    task.section.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    box.replaceChildren();
    if (!messages.length) return;
    const intro = document.createElement("p");
    intro.textContent = "Not sent yet. Please fix:";
    const list = document.createElement("ul");
    let first = null;
    messages.forEach(function (message) {
      const problem = describeProblem(String(message));
      const item = document.createElement("li");
      item.textContent = problem.text;
      list.appendChild(item);
      if (problem.target) {
        problem.target.classList.add("invalid");
        first = first || problem.target;
      }
    });
    box.append(intro, list);
    if (first && first.classList.contains("serp-result")) focusResult(first);
    else if (first) focusQuestion(first);
  }

  function flatten(data) {
    if (data && Array.isArray(data.answers)) return data.answers;
    if (data && typeof data === "object") {
      return Object.keys(data).map(function (key) { return key + ": " + [].concat(data[key]).join(" "); });
    }
    return ["The answers were refused."];
  }

  function offerNext(message) {
    const box = task.section.querySelector("#task-errors");
    const text = document.createElement("p");
    text.textContent = message;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Take the next task";
    button.addEventListener("click", function () { loadNext(""); });
    box.replaceChildren(text, button);
    button.focus();
  }

  // --- Submit, skip, next ---------------------------------------------------------------

  function setBusy(busy) {
    task.busy = busy;
    task.form.setAttribute("aria-busy", busy ? "true" : "false");
    task.section.querySelectorAll("[data-submit], [data-skip]").forEach(function (b) { b.disabled = busy; });
  }

  // POST, retried on network failure (and 5xx) with backoff; null if the server never answered.
  async function postWithRetry(url, data) {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await postJson(url, data);
        if (response.status < 500 || attempt >= RETRY_DELAYS_MS.length) return response;
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length) return null;
      }
      say("Connection trouble; trying again…");
      await sleep(RETRY_DELAYS_MS[attempt]);
    }
  }

  async function submit() {
    if (!task || task.busy || task.done) return;
    const current = task;
    setBusy(true);
    showErrors([]);
    saveDraft();
    say("Sending your answers…");
    // The same body (and submission_id) on every retry: the server stores it once.
    const response = await postWithRetry(current.section.dataset.submitUrl, payload());
    if (task !== current) return;
    setBusy(false);
    if (response === null) {
      say("Could not reach the server. Your answers are kept on this device; press Enter to try again.");
      return;
    }
    if (response.status === 200 || response.status === 201) {
      current.done = true;
      drafts.remove(current.key);
      return loadNext("Submitted.");
    }
    const data = await response.json().catch(function () { return {}; });
    if (response.status === 400) {
      say("");
      showErrors(flatten(data));
    } else if (response.status === 409) {
      if (data.code === "submission_id_reused") {
        current.submissionId = newSubmissionId();
        saveDraft();
        say((data.detail || "") + " Press Enter to send again.");
        return;
      }
      current.done = true;
      drafts.remove(current.key);
      say("");
      offerNext(data.detail || "This task can no longer be submitted.");
    } else if (response.status === 401 || response.status === 403) {
      say("You seem to be signed out. Sign in again in another tab, then press Enter here; your answers are kept.");
    } else {
      say("The server could not save your answers (status " + response.status + "). Press Enter to try again.");
    }
  }

  async function skip() {
    if (!task || task.busy || task.done) return;
    const current = task;
    setBusy(true);
    say("Skipping…");
    const response = await postWithRetry(current.section.dataset.skipUrl, { reason: "" });
    if (task !== current) return;
    setBusy(false);
    if (response === null) {
      say("Could not reach the server; press s to try again.");
      return;
    }
    // 409: the lease already ended (a retry after a lost response, or it expired): move on too.
    if (response.ok || response.status === 409) {
      current.done = true;
      drafts.remove(current.key);
      return loadNext("Skipped.");
    }
    say("The task could not be skipped (status " + response.status + ").");
  }

  function showTemplate(id, message) {
    const template = document.getElementById(id);
    const content = template.content.cloneNode(true);
    const slot = content.querySelector("[data-message]");
    if (slot) slot.textContent = message || "";
    panel.replaceChildren(content);
    mount();
    const heading = panel.querySelector("h2");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }

  async function loadNext(done) {
    const prefix = done ? done + " " : "";
    say(prefix + "Loading the next task…");
    let response = null;
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && response === null; attempt++) {
      try {
        response = await fetch(root.dataset.taskUrl, {
          credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" },
        });
      } catch (error) {
        await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]);
      }
    }
    if (response === null) {
      say(prefix + "Could not load the next task; reload the page to continue.");
    } else if (response.status === 200) {
      const holder = document.createElement("template");
      holder.innerHTML = await response.text();
      panel.replaceChildren(holder.content);
      mount();
      say(prefix + "Next task loaded.");
    } else if (response.status === 204) {
      showTemplate("console-empty");
      say(prefix + "Nothing left in this project for you.");
    } else if (response.status === 409) {
      showTemplate("console-unavailable", await response.text());
      say(prefix);
    } else {
      say(prefix + "Could not load the next task (status " + response.status + "); reload the page to continue.");
    }
  }

  // --- Lease countdown ----------------------------------------------------------------------

  function formatSeconds(seconds) {
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function startCountdown(section) {
    const out = section.querySelector("[data-countdown]");
    const seconds = Number(section.dataset.leaseSeconds);
    if (!out || !isFinite(seconds)) return;
    // From the server's seconds-left, not its clock: the rater's clock may be off.
    const end = performance.now() + seconds * 1000;
    function tick() {
      const left = Math.max(0, Math.round((end - performance.now()) / 1000));
      out.textContent = formatSeconds(left);
      out.classList.toggle("soon", left > 0 && left <= 60);
      if (left === 0) {
        out.classList.add("expired");
        clearInterval(countdown);
        countdown = null;
        if (task && !task.done) say("Your time on this task is up; it may have gone back to the pool.");
      }
    }
    tick();
    countdown = setInterval(tick, 1000);
  }

  // --- Mounting a task panel ------------------------------------------------------------------

  function mount() {
    if (countdown) clearInterval(countdown);
    countdown = null;
    const section = panel.querySelector("#task");
    if (!section) {
      task = null;
      return;
    }
    const key = DRAFT_PREFIX + section.dataset.assignment;
    const draft = drafts.read(key);
    task = {
      section: section,
      form: section.querySelector("#task-form"),
      key: key,
      submissionId: (draft && draft.submission_id) || newSubmissionId(),
      timer: new Timer(draft ? Number(draft.active_ms) || 0 : 0),
      busy: false,
      done: false,
      current: null,
    };
    if (draft && draft.fields && restore(task.form, draft.fields)) {
      say("Your unsent answers for this task were restored.");
    }
    saveDraft(); // keep the submission id from the start, so a reload reuses it
    startCountdown(section);
    focusResult(results()[0]);
  }

  // --- Events ----------------------------------------------------------------------------------

  function toggleHelp() {
    if (help.open) help.close();
    else help.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    if (help.open) {
      if (event.key === "?") {
        event.preventDefault();
        help.close();
      }
      return; // Escape closes the dialog natively
    }
    const target = event.target;
    const typing = isTyping(target);
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (task) {
        event.preventDefault();
        submit();
      }
      return;
    }
    if (event.key === "Escape" && typing && task) {
      event.preventDefault();
      target.blur();
      focusResult(task.current || results()[0]);
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (!task || task.done) return;
    const key = event.key;
    if (key === "Enter") {
      // Links, buttons and the guideline's summary keep their own Enter.
      if (target.closest && target.closest("a, button, summary")) return;
      event.preventDefault();
      submit();
    } else if (/^[0-9]$/.test(key)) {
      event.preventDefault();
      rateDigit(target, Number(key));
    } else if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
    } else if (key === "p") {
      event.preventDefault();
      focusQuestion(task.form.querySelector(".page-questions .question"));
    } else if (key === "s") {
      event.preventDefault();
      skip();
    } else if (key === "r") {
      const button = task.current && task.current.querySelector("[data-reveal]");
      if (button) {
        event.preventDefault();
        button.click();
      }
    } else if (key === "g") {
      const guideline = task.section.querySelector("#guideline");
      if (guideline) {
        event.preventDefault();
        guideline.open = !guideline.open;
      }
    }
  });

  document.addEventListener("focusin", function (event) {
    if (!task) return;
    const result = event.target.closest && event.target.closest(".serp-result");
    if (result && task.section.contains(result)) setCurrent(result);
  });

  panel.addEventListener("change", saveDraft);
  panel.addEventListener("input", saveDraft);

  panel.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });

  panel.addEventListener("click", function (event) {
    if (event.target.closest("[data-skip]")) skip();
  });

  root.addEventListener("click", function (event) {
    if (event.target.closest("[data-help-open]")) toggleHelp();
  });

  // serp.js unblurs the result and fires this; the reveal is logged for wellbeing audits.
  document.addEventListener("serp:revealed", function (event) {
    if (!task || !task.section.contains(event.target)) return;
    const result = event.target.closest(".serp-result");
    // Until now the text was inert: out of the tab order and silent to screen readers.
    result.querySelectorAll("[inert]").forEach(function (part) {
      part.removeAttribute("inert");
      part.removeAttribute("aria-hidden");
    });
    focusResult(result);
    postWithRetry(task.section.dataset.revealUrl, { doc_id: event.detail.doc });
  });

  document.addEventListener("visibilitychange", function () {
    if (!task) return;
    if (document.hidden) {
      task.timer.pause();
      saveDraft();
    } else {
      task.timer.resume();
    }
  });

  window.addEventListener("pagehide", saveDraft);

  drafts.prune();
  mount();
})();

/* Suggestion review: move with j/k, accept (a), reject (r), change the code (c), take the mouse
   selection as the span (e). Each decision is one JSON call; the item stays in the list, marked
   with its outcome, and the next pending one becomes current. Text is written with textContent. */
"use strict";

(() => {
  const queue = document.getElementById("queue");
  if (!queue) return;
  const canCode = queue.dataset.canCode === "1";
  const left = document.getElementById("left");
  const help = document.getElementById("help");
  const recode = document.getElementById("recode");
  const recodeFilter = document.getElementById("recode-filter");
  const recodeButtons = recode ? Array.from(recode.querySelectorAll("button[data-code]")) : [];
  const items = () => Array.from(queue.querySelectorAll("li.suggestion"));
  let current = queue.querySelector("li.suggestion.current");
  let busy = false;

  /* Length in Unicode code points (the study's offsets), not UTF-16 units. */
  const cpLen = (s) => { let n = 0; for (const _ of s) n += 1; return n; };

  function setCurrent(li, scroll) {
    if (!li) return;
    if (current) current.classList.remove("current");
    current = li;
    li.classList.add("current");
    if (scroll !== false) li.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const at = list.indexOf(current);
    setCurrent(list[Math.max(0, Math.min(list.length - 1, at + step))]);
  }

  function nextPending(from) {
    const list = items();
    const at = list.indexOf(from);
    const after = list.slice(at + 1).find((li) => !li.classList.contains("decided"));
    return after || list.slice(0, at).reverse().find((li) => !li.classList.contains("decided")) || null;
  }

  function settle(li, data) {
    li.classList.add("decided");
    li.dataset.outcome = data.outcome;
    li.querySelector(".outcome").textContent = data.outcome;
    li.querySelectorAll(".actions button").forEach((b) => { b.disabled = true; });
    left.textContent = String(Math.max(0, Number(left.textContent) - 1));
    qf.notice(data.message);
    const next = nextPending(li);
    if (next) setCurrent(next);
  }

  async function decide(li, action, body) {
    if (!canCode || !li || busy || li.classList.contains("decided")) return;
    busy = true;
    try {
      settle(li, await qf.call("POST", "/api/suggestions/" + li.dataset.id + "/" + action, body));
    } catch (error) {
      qf.notice(error.message, "error");
    } finally {
      busy = false;
    }
  }

  /* A selection boundary as a source offset: only inside the pieces that carry data-o. */
  function offsetAt(node, offset) {
    if (node.nodeType === Node.TEXT_NODE && node.parentElement && node.parentElement.dataset.o !== undefined) {
      return Number(node.parentElement.dataset.o) + cpLen(node.data.slice(0, offset));
    }
    if (node.nodeType === Node.ELEMENT_NODE && node.dataset && node.dataset.o !== undefined && offset === 0) {
      return Number(node.dataset.o);
    }
    return null;
  }

  function selectedSpan(li) {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const evidence = li.querySelector(".evidence");
    if (!evidence.contains(range.commonAncestorContainer)) return null;
    let start = offsetAt(range.startContainer, range.startOffset);
    let end = offsetAt(range.endContainer, range.endOffset);
    if (start === null || end === null) return null;
    const text = range.toString();
    start += cpLen(/^\s*/.exec(text)[0]);
    end -= cpLen(/\s*$/.exec(text)[0]);
    return end > start ? { start, end } : null;
  }

  function redraw(li, data) {
    const evidence = li.querySelector(".evidence");
    const piece = (tag, cls, at, text) => {
      const el = document.createElement(tag);
      if (cls) el.className = cls;
      el.dataset.o = String(at);
      el.textContent = text;
      return el;
    };
    const parts = [];
    if (data.beforeAt > 0) {
      const ell = document.createElement("span");
      ell.className = "ell";
      ell.textContent = "…";
      parts.push(ell);
    }
    parts.push(piece("span", "ctx", data.beforeAt, data.before), piece("mark", "", data.start, data.text),
      piece("span", "ctx", data.end, data.after));
    evidence.replaceChildren(...parts);
  }

  async function adjust(li) {
    if (!canCode || !li || busy || li.classList.contains("decided")) return;
    const span = selectedSpan(li);
    if (!span) {
      qf.notice("First select, with the mouse, the words the suggestion should cover (in its passage).", "error");
      return;
    }
    busy = true;
    try {
      const data = await qf.call("POST", "/api/suggestions/" + li.dataset.id + "/span", span);
      redraw(li, data);
      window.getSelection().removeAllRanges();
      qf.notice(data.message);
    } catch (error) {
      qf.notice(error.message, "error");
    } finally {
      busy = false;
    }
  }

  function shownCodes() { return recodeButtons.filter((b) => !b.parentElement.hidden); }

  function refilter() {
    const words = recodeFilter.value.toLowerCase().split(/\s+/).filter(Boolean);
    recodeButtons.forEach((b) => {
      b.parentElement.hidden = !words.every((w) => b.dataset.search.includes(w));
    });
  }

  function openRecode() {
    if (!recode || !current || current.classList.contains("decided")) return;
    recodeFilter.value = "";
    refilter();
    recode.showModal();
    recodeFilter.focus();
  }

  function chooseCode(button) {
    recode.close();
    decide(current, "code", { code: Number(button.dataset.code) });
  }

  if (recode) {
    recodeFilter.addEventListener("input", refilter);
    recodeFilter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = shownCodes()[0];
        if (first) chooseCode(first);
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        const first = shownCodes()[0];
        if (first) first.focus();
      }
    });
    recodeButtons.forEach((b) => b.addEventListener("click", () => chooseCode(b)));
  }

  queue.addEventListener("click", (event) => {
    const li = event.target.closest("li.suggestion");
    if (!li) return;
    if (li !== current) setCurrent(li, false);
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const act = button.dataset.act;
    if (act === "accept" || act === "reject") decide(li, act);
    else if (act === "code") openRecode();
    else if (act === "span") adjust(li);
  });
  /* Keep the mouse selection when the span button is pressed. */
  queue.addEventListener("mousedown", (event) => {
    if (event.target.closest('button[data-act="span"]')) event.preventDefault();
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, dialog, [contenteditable]")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === "j" || key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (key === "k" || key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (key === "a") { event.preventDefault(); decide(current, "accept"); }
    else if (key === "r") { event.preventDefault(); decide(current, "reject"); }
    else if (key === "c") { event.preventDefault(); openRecode(); }
    else if (key === "e") { event.preventDefault(); adjust(current); }
    else if (key === "o" && current) {
      const link = current.querySelector("a.open");
      if (link) { event.preventDefault(); location.href = link.href; }
    } else if (key === "?") {
      event.preventDefault();
      if (help.open) help.close(); else help.showModal();
    }
  });

  queue.dataset.ready = "1"; /* the page is interactive (tests wait for this) */
})();

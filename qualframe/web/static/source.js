/* The source view: mouse selection -> code-point offsets -> a coding; the codebook sidebar;
   keyboard shortcuts; undo and redo. The page is re-rendered by the server after each change. */
"use strict";

(() => {
  const root = document.getElementById("transcript");
  const dataEl = document.getElementById("source-data");
  if (!root || !dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  const list = document.getElementById("code-list");
  const filter = document.getElementById("code-filter");
  const selText = document.getElementById("sel-text");
  const memoInput = document.getElementById("coding-memo");
  const here = document.getElementById("here");
  const hereList = document.getElementById("here-list");
  const help = document.getElementById("help");
  const buttons = Array.from(list.querySelectorAll("button.code"));
  const placeKey = "qf-place:" + location.pathname + location.search;
  let pieces = null;
  let selection = null;
  let busy = false;

  /* Length in Unicode code points (the study's offsets), not UTF-16 units. */
  const cpLen = (s) => { let n = 0; for (const _ of s) n += 1; return n; };
  const allPieces = () => pieces || (pieces = Array.from(root.querySelectorAll("[data-o]")));
  const pieceEnd = (p) => Number(p.dataset.o) + cpLen(p.textContent);

  /* The source offset of a selection boundary. */
  function offsetAt(node, offset, isEnd) {
    if (node.nodeType === Node.TEXT_NODE && node.parentElement) {
      const piece = node.parentElement.closest("[data-o]");
      if (piece && root.contains(piece)) return Number(piece.dataset.o) + cpLen(node.data.slice(0, offset));
    }
    const all = allPieces();
    const point = document.createRange();
    try { point.setStart(node, offset); } catch (e) { return null; }
    point.collapse(true);
    let lo = 0;
    let hi = all.length;
    if (!isEnd) { /* first piece starting at or after the boundary */
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (point.comparePoint(all[mid], 0) >= 0) hi = mid; else lo = mid + 1;
      }
      return lo < all.length ? Number(all[lo].dataset.o) : null;
    }
    /* last piece ending at or before the boundary */
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (point.comparePoint(all[mid], all[mid].childNodes.length) <= 0) lo = mid + 1; else hi = mid;
    }
    return lo > 0 ? pieceEnd(all[lo - 1]) : null;
  }

  function inPiece(node) {
    return node.nodeType === Node.TEXT_NODE && node.parentElement && node.parentElement.closest("[data-o]");
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!root.contains(range.commonAncestorContainer)) return null;
    let start = offsetAt(range.startContainer, range.startOffset, false);
    let end = offsetAt(range.endContainer, range.endOffset, true);
    if (start === null || end === null) return null;
    /* Leave out white space at either end (as a researcher means it). */
    if (inPiece(range.startContainer)) {
      const rest = range.startContainer.data.slice(range.startOffset);
      const space = /^\s*/.exec(rest)[0];
      if (space.length < rest.length) start += cpLen(space);
    }
    if (inPiece(range.endContainer)) {
      const head = range.endContainer.data.slice(0, range.endOffset);
      const space = /\s*$/.exec(head)[0];
      if (space.length < head.length) end -= cpLen(space);
    }
    const text = range.toString().trim();
    if (end <= start || !text) return null;
    return { start, end, text };
  }

  function showSelection() {
    if (!selText) return;
    if (selection) {
      const shown = selection.text.length > 300 ? selection.text.slice(0, 299) + "…" : selection.text;
      selText.textContent = "“" + shown + "” (" + (selection.end - selection.start) + " characters)";
      selText.classList.add("active");
    } else {
      selText.textContent = "Select a passage with the mouse, then pick a code (or press its number).";
      selText.classList.remove("active");
    }
  }

  document.addEventListener("selectionchange", () => {
    const sel = window.getSelection();
    if (!sel || !sel.anchorNode || !root.contains(sel.anchorNode)) return; /* e.g. typing in the sidebar */
    const found = readSelection();
    if (found || sel.isCollapsed) {
      selection = found;
      showSelection();
    }
  });

  /* Where the reader is, kept across the reload that shows a change. */
  function rememberPlace() {
    const turns = root.querySelectorAll("section.turn");
    for (const turn of turns) {
      const box = turn.getBoundingClientRect();
      if (box.bottom > 0) {
        sessionStorage.setItem(placeKey, JSON.stringify([turn.id, box.top]));
        return;
      }
    }
  }

  function restorePlace() {
    const saved = sessionStorage.getItem(placeKey);
    if (!saved) return false;
    sessionStorage.removeItem(placeKey);
    try {
      const [id, top] = JSON.parse(saved);
      const turn = document.getElementById(String(id));
      if (!turn || !root.contains(turn)) return false;
      turn.scrollIntoView({ block: "start" });
      window.scrollBy(0, -Number(top) || 0);
      return true;
    } catch (e) {
      return false;
    }
  }

  function reload(message) {
    qf.later(message);
    rememberPlace();
    location.reload();
  }

  async function apply(codeId) {
    if (!data.canCode || busy) return;
    if (!selection) {
      qf.notice("Select a passage in the transcript first.", "error");
      return;
    }
    busy = true;
    try {
      const reply = await qf.call("POST", "/api/sources/" + data.source + "/codings", {
        code: Number(codeId),
        start: selection.start,
        end: selection.end,
        memo: memoInput ? memoInput.value : "",
      });
      reload(reply.message + " Ctrl+Z undoes it.");
    } catch (error) {
      qf.notice(error.message, "error");
      busy = false;
    }
  }

  async function history(kind) {
    if (!data.canCode || busy) return;
    busy = true;
    try {
      const reply = await qf.call("POST", "/api/" + kind);
      reload(reply.message);
    } catch (error) {
      qf.notice(error.message, "error");
      busy = false;
    }
  }

  async function removeCoding(id) {
    if (busy) return;
    busy = true;
    try {
      const reply = await qf.call("DELETE", "/api/codings/" + id);
      reload(reply.message + " Ctrl+Z brings it back.");
    } catch (error) {
      qf.notice(error.message, "error");
      busy = false;
    }
  }

  /* The sidebar: codings under the clicked passage or stripe. */
  function light(id, on) {
    root.querySelectorAll('[data-c~="' + id + '"]').forEach((el) => el.classList.toggle("lit", on));
  }

  function showHere(ids) {
    hereList.replaceChildren();
    for (const id of ids) {
      const entry = data.codings[id];
      if (!entry) continue;
      const coding = { code: entry[0], coder: data.coders[entry[1]], memo: entry[2] };
      const code = data.codes[coding.code] || { label: "?" };
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "sw k" + coding.code;
      const label = document.createElement("strong");
      label.textContent = code.label;
      const who = document.createElement("span");
      who.className = "muted small";
      who.textContent = coding.coder;
      item.append(swatch, label, who);
      if (data.canCode && (coding.coder === data.user || data.lead)) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link small";
        remove.textContent = "remove";
        remove.addEventListener("click", () => removeCoding(id));
        item.append(remove);
      }
      if (coding.memo) {
        const memo = document.createElement("p");
        memo.className = "memo-line pre";
        memo.textContent = coding.memo;
        item.append(memo);
      }
      item.addEventListener("mouseenter", () => light(id, true));
      item.addEventListener("mouseleave", () => light(id, false));
      hereList.append(item);
    }
    here.hidden = hereList.childElementCount === 0;
  }

  root.addEventListener("click", (event) => {
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return;
    const mark = event.target.closest("mark.h, i.st");
    if (mark && mark.dataset.c) showHere(mark.dataset.c.split(" "));
  });
  root.addEventListener("mouseover", (event) => {
    const stripe = event.target.closest("i.st");
    if (stripe) light(stripe.dataset.c, true);
  });
  root.addEventListener("mouseout", (event) => {
    const stripe = event.target.closest("i.st");
    if (stripe) light(stripe.dataset.c, false);
  });

  /* The codebook sidebar: filter, number the first nine, click to apply. */
  const shown = () => buttons.filter((b) => !b.parentElement.hidden);
  function refilter() {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    list.classList.toggle("filtering", words.length > 0);
    let n = 0;
    for (const button of buttons) {
      const match = words.every((w) => button.dataset.search.includes(w));
      button.parentElement.hidden = !match;
      const badge = button.querySelector("kbd.n");
      if (match && n < 9) {
        n += 1;
        badge.textContent = String(n);
        badge.classList.add("on");
      } else {
        badge.textContent = "";
        badge.classList.remove("on");
      }
    }
  }
  filter.addEventListener("input", refilter);
  buttons.forEach((button) => button.addEventListener("click", () => apply(button.dataset.code)));
  refilter();

  const undoButton = document.getElementById("undo");
  const redoButton = document.getElementById("redo");
  const helpButton = document.getElementById("help-button");
  if (undoButton) undoButton.addEventListener("click", () => history("undo"));
  if (redoButton) redoButton.addEventListener("click", () => history("redo"));
  if (helpButton) helpButton.addEventListener("click", () => help.showModal());

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") {
      if (filter.value) { filter.value = ""; refilter(); }
      if (!typing) { window.getSelection().removeAllRanges(); selection = null; showSelection(); }
      if (target === filter) filter.blur();
      return;
    }
    if (target === filter) {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = shown()[0];
        if (first) apply(first.dataset.code);
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        const first = shown()[0];
        if (first) first.focus();
      }
      return;
    }
    if (typing) return;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === "z") {
      event.preventDefault();
      history(event.shiftKey ? "redo" : "undo");
    } else if (mod && event.key.toLowerCase() === "y") {
      event.preventDefault();
      history("redo");
    } else if (mod || event.altKey) {
      return;
    } else if (event.key === "/") {
      event.preventDefault();
      filter.focus();
      filter.select();
    } else if (/^[1-9]$/.test(event.key)) {
      const button = shown()[Number(event.key) - 1];
      if (button && data.canCode) {
        event.preventDefault();
        apply(button.dataset.code);
      }
    } else if (event.key === "?") {
      event.preventDefault();
      if (help.open) help.close(); else help.showModal();
    } else if (event.key === "m") {
      const memo = document.getElementById("memo-text");
      if (memo) { event.preventDefault(); memo.focus(); }
    }
  });

  /* Arriving from a quote (?focus=CODING) or a search hit (?at=OFFSET). */
  function arrive() {
    const params = new URLSearchParams(location.search);
    const focus = params.get("focus");
    const at = params.get("at");
    if (restorePlace()) return;
    if (focus && /^\d+$/.test(focus)) {
      const marks = root.querySelectorAll('mark[data-c~="' + focus + '"]');
      marks.forEach((m) => m.classList.add("focus"));
      if (marks.length) {
        marks[0].scrollIntoView({ block: "center" });
        showHere([focus]);
      }
    } else if (at && /^\d+$/.test(at)) {
      const offset = Number(at);
      const all = allPieces();
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (Number(all[mid].dataset.o) <= offset) lo = mid + 1; else hi = mid;
      }
      const piece = all[Math.max(0, lo - 1)];
      if (piece) {
        const turn = piece.closest("section.turn");
        (turn || piece).scrollIntoView({ block: "center" });
        if (turn) turn.classList.add("arrived");
      }
    }
  }
  arrive();
  root.dataset.ready = "1"; /* the page is interactive (tests wait for this) */
})();

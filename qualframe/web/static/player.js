/* Playing a transcribed recording beside its transcript, and correcting turns while listening.
   A turn's time plays from its start; Alt+click plays from a word; the word being spoken is
   highlighted (CSS Custom Highlight API, so the transcript's markup is never touched) and its turn
   scrolled into view while "follow" is on. ✎ opens a turn for correction; the server keeps every
   coding on its words and the page reloads to show the result. */
"use strict";

(() => {
  const root = document.getElementById("transcript");
  const player = document.getElementById("player");
  const dataEl = document.getElementById("source-data");
  if (!root || !player || !dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  const rec = data.recording || { words: [] };
  const flat = rec.words || [];
  const n = flat.length / 3;
  const follow = document.getElementById("follow");
  const canHighlight = typeof Highlight === "function" && CSS.highlights;
  let editing = null;
  let lastWord = -1;

  const wordStart = (i) => flat[3 * i];
  const wordEnd = (i) => flat[3 * i + 1];
  const wordMs = (i) => flat[3 * i + 2];

  /* Last word starting at or before ms (words are in text order, which is time order). */
  function wordAtTime(ms) {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (wordMs(mid) <= ms) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  /* The word covering a code-point offset of the source. */
  function wordAtOffset(offset) {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (wordStart(mid) <= offset) lo = mid + 1; else hi = mid;
    }
    const i = lo - 1;
    return i >= 0 && offset <= wordEnd(i) + 1 ? i : -1;
  }

  function playFrom(ms) {
    player.currentTime = Math.max(0, ms) / 1000;
    player.play().catch(() => { /* the browser may refuse until the user interacts */ });
  }

  /* A DOM position for a code-point offset: the piece holding it, then UTF-16 units inside. */
  const pieces = Array.from(root.querySelectorAll("[data-o]"));
  function domPoint(offset) {
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Number(pieces[mid].dataset.o) <= offset) lo = mid + 1; else hi = mid;
    }
    const piece = pieces[Math.max(0, lo - 1)];
    if (!piece || !piece.firstChild) return null;
    const text = piece.firstChild.data;
    let units = 0;
    let cps = Number(piece.dataset.o);
    for (const ch of text) {
      if (cps >= offset) break;
      units += ch.length;
      cps += 1;
    }
    return [piece.firstChild, Math.min(units, text.length)];
  }

  function showWord(i) {
    if (i === lastWord) return;
    lastWord = i;
    root.querySelectorAll("section.turn.playing").forEach((t) => t.classList.remove("playing"));
    if (i < 0) return;
    const a = domPoint(wordStart(i));
    const b = domPoint(wordEnd(i));
    if (!a || !b) return;
    const turn = a[0].parentElement.closest("section.turn");
    if (turn) {
      turn.classList.add("playing");
      if (follow && follow.checked && !player.paused && !editing) {
        const box = turn.getBoundingClientRect();
        if (box.top < 80 || box.bottom > window.innerHeight) turn.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }
    if (canHighlight) {
      const range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      CSS.highlights.set("qf-playing", new Highlight(range));
    }
  }

  player.addEventListener("timeupdate", () => showWord(wordAtTime(player.currentTime * 1000)));
  player.addEventListener("seeked", () => showWord(wordAtTime(player.currentTime * 1000)));

  root.addEventListener("click", (event) => {
    const time = event.target.closest("button.time[data-ms]");
    if (time) {
      event.preventDefault();
      playFrom(Number(time.dataset.ms));
      return;
    }
    if (!event.altKey || editing) return;
    const piece = event.target.closest("[data-o]");
    if (!piece) return;
    const sel = window.getSelection();
    let offset = Number(piece.dataset.o);
    if (sel && sel.anchorNode && piece.contains(sel.anchorNode)) {
      offset += Array.from(sel.anchorNode.data.slice(0, sel.anchorOffset)).length;
    }
    const i = wordAtOffset(offset);
    if (i >= 0) {
      event.preventDefault();
      playFrom(wordMs(i));
    }
  });

  /* Correcting a turn. */
  function openEditor(turn) {
    if (editing) return;
    const tx = turn.querySelector(".tx");
    const before = tx.textContent;
    const area = document.createElement("textarea");
    area.className = "correct";
    area.value = before;
    area.setAttribute("aria-label", "Corrected words of this turn");
    const bar = document.createElement("div");
    bar.className = "correct-bar";
    const save = document.createElement("button");
    save.type = "button";
    save.textContent = "Save correction";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link";
    cancel.textContent = "Cancel";
    bar.append(save, cancel);
    const kept = Array.from(tx.childNodes);
    tx.replaceChildren(area, bar);
    editing = { turn, tx, kept, before, area };
    area.focus();
    save.addEventListener("click", submit);
    cancel.addEventListener("click", closeEditor);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeEditor();
      }
    });
  }

  function closeEditor() {
    if (!editing) return;
    editing.tx.replaceChildren(...editing.kept);
    editing = null;
  }

  async function submit() {
    if (!editing) return;
    const position = editing.turn.id.slice(1);
    try {
      const reply = await qf.call("POST", "/api/sources/" + data.source + "/turns/" + position, {
        text: editing.area.value,
        expected: editing.before,
      });
      qf.later(reply.message);
      location.hash = editing.turn.id;
      location.reload();
    } catch (error) {
      qf.notice(error.message, "error");
    }
  }

  if (data.canCode) {
    root.querySelectorAll("section.turn").forEach((turn) => {
      const who = turn.querySelector(".who");
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "edit";
      edit.textContent = "✎ correct";
      edit.title = "Correct this turn while listening (codings keep their words)";
      edit.addEventListener("click", () => openEditor(turn));
      who.append(edit);
    });
  }

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.code === "Space") {
      event.preventDefault();
      if (player.paused) player.play().catch(() => {}); else player.pause();
    }
  });
  player.dataset.ready = "1"; /* tests wait for this */
})();

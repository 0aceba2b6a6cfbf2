/* The framework matrix: clicking a cell opens its quotes and summary beside the table without a
   reload (the link still works without JavaScript). Data is written with textContent only. */
"use strict";

(() => {
  const table = document.getElementById("matrix");
  const panel = document.getElementById("cell");
  if (!table || !panel) return;
  const by = panel.dataset.by;
  const $ = (id) => document.getElementById(id);

  function quoteItem(q) {
    const li = document.createElement("li");
    const block = document.createElement("blockquote");
    block.className = "pre";
    block.textContent = q.text;
    const meta = document.createElement("span");
    meta.className = "muted small";
    if (q.href) {
      const link = document.createElement("a");
      link.href = q.href;
      link.textContent = q.ref;
      meta.appendChild(link);
    } else {
      meta.appendChild(document.createTextNode(q.ref));
    }
    meta.appendChild(document.createTextNode(" · " + q.code));
    li.append(block, meta);
    return li;
  }

  function show(data) {
    $("cell-title").textContent = data.case + " × " + data.short;
    let meta = data.count + (data.count === 1 ? " passage" : " passages");
    if (data.summary) meta += " · " + (data.draft ? "draft" : "summary") + (data.author ? " by " + data.author : "");
    $("cell-meta").textContent = meta;
    const summary = $("cell-summary");
    if (summary) {
      summary.value = data.summary;
      $("cell-case").value = data.case;
      $("cell-column").value = data.column;
      $("cell-accept").hidden = !data.draft;
      $("cell-proposal").textContent = data.proposal;
      $("cell-proposal-box").hidden = !data.proposal;
    } else {
      $("cell-summary-text").textContent = data.summary || "—";
    }
    const list = $("cell-quotes");
    list.replaceChildren(...data.quotes.map(quoteItem));
    if (!data.quotes.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No coded passages in this cell.";
      list.appendChild(li);
    }
    panel.hidden = false;
  }

  async function open(link) {
    const params = new URLSearchParams({ by, case: link.dataset.case, column: link.dataset.column });
    let data;
    try {
      data = await qf.call("GET", "/api/matrix/cell?" + params.toString());
    } catch (error) {
      qf.notice(error.message, "error");
      return;
    }
    show(data);
    table.querySelectorAll("td.on").forEach((td) => td.classList.remove("on"));
    link.parentElement.classList.add("on");
    history.replaceState(null, "", link.getAttribute("href"));
    panel.dataset.shown = data.case + "|" + data.column; /* tests wait for this */
  }

  table.addEventListener("click", (event) => {
    const link = event.target.closest("a.cell");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    open(link);
  });

  const use = $("use-proposal");
  if (use) {
    use.addEventListener("click", () => {
      const summary = $("cell-summary");
      summary.value = $("cell-proposal").textContent;
      summary.focus();
    });
  }
  const current = table.querySelector("td.on a.cell");
  if (current) {
    current.scrollIntoView({ block: "nearest", inline: "nearest" });
    panel.dataset.shown = current.dataset.case + "|" + current.dataset.column;
  }
  table.dataset.ready = "1";
})();

/* qualframe workbench: shared helpers. No framework; data is only ever written with textContent. */
"use strict";

const qf = (() => {
  const csrf = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  /* A JSON call carrying the session's CSRF token; throws an Error with the server's message. */
  async function call(method, url, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = {};
    }
    if (!response.ok) {
      throw new Error(data.error || "The workbench answered " + response.status + ".");
    }
    return data;
  }

  let timer = null;
  /* Show a short message at the bottom of the page. */
  function notice(message, kind) {
    const el = document.getElementById("notice");
    if (!el) return;
    el.textContent = message;
    el.className = kind === "error" ? "flash error" : "flash";
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, kind === "error" ? 9000 : 5000);
  }

  /* Keep a message for the next page load (after a reload that shows the change). */
  function later(message, kind) {
    sessionStorage.setItem("qf-notice", JSON.stringify([String(message), kind || "ok"]));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const saved = sessionStorage.getItem("qf-notice");
    if (saved) {
      sessionStorage.removeItem("qf-notice");
      try {
        const [message, kind] = JSON.parse(saved);
        notice(message, kind);
      } catch (e) { /* ignore a damaged message */ }
    }
    document.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  });

  return { call, notice, later };
})();

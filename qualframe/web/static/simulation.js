/* Simulation runs: while a run started here is in progress, ask the server for its state every
   two seconds and reload the page when it has finished (its figures and verdict appear). */
"use strict";

(() => {
  const jobs = document.getElementById("jobs");
  if (!jobs || !jobs.dataset.running) return;
  const poll = async () => {
    let states;
    try {
      states = await qf.call("GET", "/api/simulation/jobs");
    } catch (error) {
      qf.notice(error.message, "error");
      return;
    }
    if (states.some((job) => job.state === "running")) {
      setTimeout(poll, 2000);
    } else {
      location.reload();
    }
  };
  setTimeout(poll, 2000);
})();

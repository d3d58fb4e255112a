/* Helpline web UI: live updates, presence, shortcuts, small form helpers. Our own code. */
(function () {
  "use strict";
  var body = document.body;
  var socket = null;
  var ticketPage = document.querySelector("[data-ticket-page]");
  var ticketId = ticketPage ? Number(ticketPage.dataset.ticketId) : null;
  var viewers = {};

  function fire(name, detail) {
    body.dispatchEvent(new CustomEvent(name, { detail: detail, bubbles: true }));
  }

  // --- live updates over /ws/live/ -------------------------------------------------
  function connect(delay) {
    if (!body.dataset.live || !window.WebSocket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + body.dataset.live);
    socket.addEventListener("open", function () {
      body.dataset.liveState = "open";
      delay = 1000;
      if (ticketId && ticketPage.hasAttribute("data-presence")) send({ action: "watch", ticket: ticketId });
    });
    socket.addEventListener("message", function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type === "ticket.changed") {
        fire("hl:ticket-changed", data);
        if (ticketId && data.ticket_id === ticketId) fire("hl:this-ticket-changed", data);
      } else if (data.type === "presence") {
        presence(data);
      }
    });
    socket.addEventListener("close", function () {
      body.dataset.liveState = "closed";
      setTimeout(function () { connect(Math.min((delay || 1000) * 2, 30000)); }, delay || 1000);
    });
  }
  function send(message) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
  }

  // Don't replace the list under the agent's feet while tickets are selected.
  body.addEventListener("htmx:beforeRequest", function (e) {
    var list = e.target.closest && e.target.closest("[data-live-list]");
    if (list && list.querySelector("input[name=ids]:checked")) {
      e.preventDefault();
      var note = document.getElementById("live-note");
      if (note) note.hidden = false;
    }
  });

  // Nor the ticket's side panel while the agent is filling in one of its forms: say that
  // the ticket changed instead, and refresh the panel at the next change after that.
  body.addEventListener("htmx:beforeRequest", function (e) {
    var panel = e.target.closest && e.target.closest("[data-live-panel]");
    if (!panel || e.target !== panel) return;
    var active = document.activeElement;
    var editing = (active && panel.contains(active) && active.matches("input, select, textarea")) ||
      Array.prototype.some.call(panel.querySelectorAll("textarea, input:not([type=hidden])"), function (field) {
        return field.value !== field.defaultValue;
      });
    if (editing) {
      e.preventDefault();
      var note = document.getElementById("panel-note");
      if (note) note.hidden = false;
    }
  });

  // --- presence: who else views or types on this ticket ------------------------------
  function presence(data) {
    var user = data.user || {};
    if (!user.id || String(user.id) === body.dataset.userId) return;
    if (data.event === "leave") delete viewers[user.id];
    else viewers[user.id] = { name: user.name, typing: data.event === "typing" ? Date.now() : (viewers[user.id] || {}).typing };
    renderPresence();
  }
  function renderPresence() {
    var box = document.getElementById("presence");
    if (!box) return;
    var now = Date.now();
    var parts = Object.keys(viewers).map(function (id) {
      var v = viewers[id];
      var typing = v.typing && now - v.typing < 5000;
      return '<span class="viewer' + (typing ? " is-typing" : "") + '" data-viewer="' + id + '">' +
        escapeHtml(v.name) + (typing ? " · " + escapeHtml(box.dataset.typingLabel || "typing…") : "") + "</span>";
    });
    box.innerHTML = parts.length ? '<span class="muted">' + escapeHtml(box.dataset.viewingLabel || "Also here:") + "</span> " + parts.join(" ") : "";
  }
  setInterval(renderPresence, 2000);
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }
  var lastTyping = 0;
  document.addEventListener("input", function (e) {
    if (!ticketId || !e.target.matches("[data-typing]")) return;
    if (Date.now() - lastTyping > 2000) { lastTyping = Date.now(); send({ action: "typing" }); }
  });

  // --- composer: reply or note, drag and drop ---------------------------------------
  document.addEventListener("change", function (e) {
    var composer = e.target.closest("[data-composer]");
    if (composer && e.target.name === "kind") composer.classList.toggle("is-note", e.target.value === "note");
    if (e.target.matches("[data-dropzone] input[type=file]")) listFiles(e.target);
    if (e.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = e.target.checked; });
    }
    if (e.target.matches("[data-bulk-action]")) showBulkFields(e.target.value);
  });
  function listFiles(input) {
    var list = input.closest("[data-dropzone]").querySelector("[data-file-list]");
    if (!list) return;
    list.innerHTML = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var li = document.createElement("li");
      li.textContent = file.name;
      list.appendChild(li);
    });
  }
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      var zone = e.target.closest && e.target.closest("[data-dropzone]");
      if (zone) { e.preventDefault(); zone.classList.add("is-over"); }
    });
  });
  document.addEventListener("dragleave", function (e) {
    var zone = e.target.closest && e.target.closest("[data-dropzone]");
    if (zone) zone.classList.remove("is-over");
  });
  document.addEventListener("drop", function (e) {
    var zone = e.target.closest && e.target.closest("[data-dropzone]");
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("is-over");
    var input = zone.querySelector("input[type=file]");
    input.files = e.dataTransfer.files;
    listFiles(input);
  });

  function showBulkFields(action) {
    document.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      el.hidden = el.dataset.bulkFor.split(" ").indexOf(action) < 0;
    });
  }
  var bulkAction = document.querySelector("[data-bulk-action]");
  if (bulkAction) showBulkFields(bulkAction.value);

  // --- the caller search on the new-ticket form -------------------------------------
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-pick-requester]");
    if (pick) {
      document.getElementById("id_requester").value = pick.dataset.pickRequester;
      var chosen = document.getElementById("chosen-requester");
      chosen.querySelector("[data-chosen-name]").textContent = pick.dataset.label;
      chosen.hidden = false;
      document.querySelector("[data-requester-search]").hidden = true;
      document.getElementById("requester-results").innerHTML = "";
      var subject = document.getElementById("id_subject");
      if (subject) subject.focus();
    }
    if (e.target.closest("[data-clear-requester]")) {
      document.getElementById("id_requester").value = "";
      document.getElementById("chosen-requester").hidden = true;
      document.querySelector("[data-requester-search]").hidden = false;
      document.getElementById("requester-q").focus();
    }
    var row = e.target.closest("tr[data-href]");
    if (row && !e.target.closest("a, input, button, label")) location.href = row.dataset.href;
  });

  // --- keyboard shortcuts -----------------------------------------------------------
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  function moveRow(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (r) { return r.classList.contains("is-current"); });
    all.forEach(function (r) { r.classList.remove("is-current"); });
    index = Math.max(0, Math.min(all.length - 1, index + step));
    all[index].classList.add("is-current");
    var link = all[index].querySelector("a");
    if (link) link.focus();
  }
  function compose(kind) {
    var composer = document.querySelector("[data-composer]");
    if (!composer) return;
    var radio = composer.querySelector("input[name=kind][value=" + kind + "]");
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    composer.querySelector("textarea").focus();
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var help = document.getElementById("shortcuts-help");
    var typing = e.target.closest("input, textarea, select, [contenteditable]");
    if (e.key === "Escape" && typing) { e.target.blur(); return; }
    if (typing) return;
    var current = document.querySelector("tr.is-current");
    switch (e.key) {
      case "j": moveRow(1); break;
      case "k": moveRow(-1); break;
      case "o": case "Enter": if (current) location.href = current.dataset.href; else return; break;
      case "x": if (current) { var box = current.querySelector("input[type=checkbox]"); box.checked = !box.checked; } break;
      case "r": compose("reply"); break;
      case "n": compose("note"); break;
      case "a": var take = document.getElementById("take-form"); if (take) take.requestSubmit(); break;
      case "c": if (document.querySelector("[data-live]")) location.href = "/tickets/new/"; break;
      case "?": if (help) { if (help.open) help.close(); else help.showModal(); } break;
      default: return;
    }
    e.preventDefault();
  });

  connect(1000);
})();

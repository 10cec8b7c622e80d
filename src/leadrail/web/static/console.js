// The rep's live console: one WebSocket, routed visitors, chat alerts, chats. No framework.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var conn = $("conn"), presence = $("presence"), notifyBtn = $("notify");
  var alertsBox = $("alerts"), chatsBox = $("chats"), visitorsBody = $("visitors");
  var ws = null, attempt = 0, pinger = null, status = "online", stopped = false;
  var visitors = {}, alerts = {}, chats = {};

  function el(name, attrs, text) {
    var n = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text != null) n.textContent = String(text);
    return n;
  }
  function empty(box, has) {
    var e = box.querySelector(".empty");
    if (e) e.hidden = has;
  }
  function setConn(text, kind) { conn.textContent = text; conn.className = "pill " + kind; }

  // ---- connection: reconnect with backoff, heartbeat every 10 s ----
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + root.dataset.wsPath);
    ws.onopen = function () {
      attempt = 0;
      clearInterval(pinger);
      pinger = setInterval(function () { sendWs({ type: "ping" }); }, 10000);
    };
    ws.onmessage = function (ev) {
      var msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
      var fn = handlers[msg.type];
      if (fn) fn(msg);
    };
    ws.onclose = function (ev) {
      clearInterval(pinger);
      if (stopped) return;
      if (ev.code === 4401) {
        setConn("Signed out: log in again", "bad");
        return;
      }
      var wait = Math.min(30, Math.pow(2, attempt++)) * (0.75 + Math.random() / 2);
      var left = Math.ceil(wait);
      setConn("Reconnecting in " + left + " s…", "warn");
      var t = setInterval(function () {
        left -= 1;
        if (left > 0) setConn("Reconnecting in " + left + " s…", "warn");
        else { clearInterval(t); setConn("Reconnecting…", "warn"); }
      }, 1000);
      setTimeout(function () { clearInterval(t); connect(); }, wait * 1000);
    };
  }
  function sendWs(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }
  function showStatus(s) {
    status = s;
    setConn(s === "away" ? "Away" : "Online", s === "away" ? "warn" : "ok");
    presence.textContent = s === "away" ? "Go online" : "Go away";
    presence.setAttribute("aria-pressed", s === "away" ? "true" : "false");
  }

  // ---- server -> rep ----
  var handlers = {
    hello: function (m) {
      showStatus(m.status || "online");
      visitorsBody.querySelectorAll("tr[data-id]").forEach(function (r) { r.remove(); });
      visitors = {};
      (m.visitors || []).forEach(upsertVisitor);
      (m.alerts || []).forEach(function (a) { addAlert(a, false); });
      (m.conversations || []).forEach(openChat);
    },
    pong: function () {},
    status: function (m) { showStatus(m.status); },
    visitor: function (m) { upsertVisitor(m.visitor); },
    visitor_left: function (m) {
      var v = visitors[m.id];
      if (v) { v.row.remove(); delete visitors[m.id]; }
      empty(visitorsBody, Object.keys(visitors).length > 0);
    },
    alert: function (m) { addAlert(m.alert, true); },
    taken: function (m) { endAlert(m.conversation_id, "Taken by " + (m.by || "someone else")); },
    expired: function (m) { endAlert(m.conversation_id, "Expired: nobody accepted in time"); },
    accepted: function (m) {
      endAlert(m.conversation.id, "You accepted this chat", true);
      openChat(m.conversation);
    },
    message: function (m) {
      var c = chats[m.conversation_id];
      if (c) addMessage(c, m.message);
    },
    closed: function (m) {
      var c = chats[m.conversation_id];
      if (c) closeChat(c);
      endAlert(m.conversation_id, "The visitor left");
    },
    error: function (m) { setConn(m.message || "Error", "bad"); setTimeout(function () { showStatus(status); }, 4000); }
  };

  // ---- visitors ----
  function upsertVisitor(v) {
    var item = visitors[v.id];
    if (!item) {
      var row = el("tr", { "data-id": v.id });
      ["who", "company", "page", "time", "why"].forEach(function (c) { row.appendChild(el("td", { "class": c })); });
      visitorsBody.appendChild(row);
      item = visitors[v.id] = { row: row };
    }
    item.v = v;
    var cells = item.row.children;
    var loc = v.location ? [v.location.city, v.location.region, v.location.country].filter(Boolean).join(", ") : "";
    cells[0].textContent = (v.name || v.email || "Anonymous visitor") + (loc ? " · " + loc : "");
    cells[1].textContent = v.company || "";
    cells[2].textContent = (v.page && (v.page.title || v.page.url)) || "";
    cells[2].title = (v.page && v.page.url) || "";
    cells[4].textContent = v.why || "";
    tickVisitor(item);
    empty(visitorsBody, true);
  }
  function duration(fromIso) {
    var s = Math.max(0, Math.floor((Date.now() - Date.parse(fromIso)) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + "h " + pad(m) + "m " : m + "m ") + pad(sec) + "s";
  }
  function tickVisitor(item) {
    if (item.v.started_at) item.row.children[3].textContent = duration(item.v.started_at);
  }

  // ---- alerts: countdown, sound, notification, accept ----
  function addAlert(a, loud) {
    if (alerts[a.conversation_id]) return;
    var v = a.visitor || {};
    var card = el("div", { "class": "alert-card", "data-conversation": a.conversation_id });
    var info = el("div");
    info.appendChild(el("div", { "class": "who" }, (v.name || v.email || "A visitor") + (v.company ? " · " + v.company : "")));
    info.appendChild(el("div", { "class": "small" }, (v.page && (v.page.title || v.page.url)) || ""));
    info.appendChild(el("div", { "class": "small muted" }, a.why || v.why || ""));
    var count = el("div", { "class": "count", "aria-label": "seconds left" });
    var state = el("div", { "class": "state small", role: "status" });
    var accept = el("button", { type: "button" }, "Accept");
    accept.addEventListener("click", function () {
      if (sendWs({ type: "accept", conversation_id: a.conversation_id })) {
        accept.disabled = true; state.textContent = "Accepting…";
      }
    });
    card.appendChild(info); card.appendChild(count); card.appendChild(state); card.appendChild(accept);
    alertsBox.prepend(card);
    empty(alertsBox, true);
    var expires = a.expires_at ? Date.parse(a.expires_at) : Date.now() + (a.countdown_seconds || 30) * 1000;
    alerts[a.conversation_id] = { card: card, count: count, state: state, accept: accept, expires: expires, done: false };
    tickAlert(alerts[a.conversation_id]);
    if (loud) {
      beep(); notify(v);
      // never steal the focus from a rep typing in a chat
      var active = document.activeElement;
      if (!active || active === document.body) accept.focus();
    }
  }
  function tickAlert(al) {
    if (al.done) return;
    var left = Math.max(0, Math.ceil((al.expires - Date.now()) / 1000));
    al.count.textContent = left + " s";
  }
  function endAlert(id, text, keepShort) {
    var al = alerts[id];
    if (!al || al.done) return;
    al.done = true;
    al.card.classList.add("done");
    al.count.textContent = "";
    al.state.textContent = text;
    al.accept.disabled = true;
    al.accept.hidden = true;
    setTimeout(function () {
      al.card.remove();
      empty(alertsBox, alertsBox.querySelector(".alert-card") !== null);
    }, keepShort ? 3000 : 15000);
  }
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound available */ }
  }
  function notify(v) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var n = new Notification("Chat request", { body: (v.name || v.email || "A visitor") + " wants to chat", tag: "leadrail" });
      n.onclick = function () { window.focus(); n.close(); };
    } catch (e) { /* some browsers only allow it from a service worker */ }
  }
  if ("Notification" in window && Notification.permission === "default") {
    notifyBtn.hidden = false;
    notifyBtn.addEventListener("click", function () {
      Notification.requestPermission().then(function () { notifyBtn.hidden = true; });
    });
  }
  // browsers start audio only after a gesture: unlock it on the first click or key
  var unlock = function () {
    try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); } catch (e) { /* none */ }
    document.removeEventListener("click", unlock); document.removeEventListener("keydown", unlock);
  };
  document.addEventListener("click", unlock); document.addEventListener("keydown", unlock);

  // ---- chats ----
  function openChat(c) {
    if (chats[c.id]) return;
    var v = c.visitor || {};
    var box = el("article", { "class": "chat", "data-conversation": c.id, "aria-label": "Chat with " + (v.name || v.email || "visitor") });
    var head = el("header");
    head.appendChild(el("strong", {}, (v.name || v.email || "Visitor") + (v.company ? " · " + v.company : "")));
    var closeBtn = el("button", { type: "button", "class": "secondary" }, "End chat");
    head.appendChild(closeBtn);
    var log = el("div", { "class": "log", "aria-live": "polite", role: "log" });
    var form = el("form");
    var input = el("input", { type: "text", maxlength: "2000", "aria-label": "Message to " + (v.name || v.email || "visitor"), autocomplete: "off" });
    form.appendChild(input); form.appendChild(el("button", { type: "submit" }, "Send"));
    box.appendChild(head); box.appendChild(log); box.appendChild(form);
    chatsBox.prepend(box);
    empty(chatsBox, true);
    var chat = chats[c.id] = { id: c.id, box: box, log: log, input: input, form: form, seen: {} };
    (c.messages || []).forEach(function (m) { addMessage(chat, m); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      if (sendWs({ type: "message", conversation_id: c.id, text: text })) input.value = "";
    });
    closeBtn.addEventListener("click", function () { sendWs({ type: "close", conversation_id: c.id }); });
    if (c.status === "closed") closeChat(chat);
    else input.focus();
  }
  function addMessage(chat, m) {
    if (m.id && chat.seen[m.id]) return;
    if (m.id) chat.seen[m.id] = true;
    var b = el("div", { "class": "msg " + (m.from || "visitor") });
    if (m.from !== "system") b.appendChild(el("span", { "class": "name" }, m.name || m.from));
    b.appendChild(document.createTextNode(String(m.text == null ? "" : m.text)));
    // the chat's order is its numbers (n): a message never goes after a later one
    var later = null;
    if (m.n) {
      b.dataset.n = String(m.n);
      later = Array.prototype.find.call(chat.log.children, function (x) {
        return x.dataset.n && Number(x.dataset.n) > m.n;
      }) || null;
    }
    chat.log.insertBefore(b, later);
    chat.log.scrollTop = chat.log.scrollHeight;
  }
  function closeChat(chat) {
    chat.box.classList.add("closed");
    chat.input.disabled = true;
    chat.form.querySelector("button").disabled = true;
    addMessage(chat, { from: "system", text: "Chat ended" });
  }

  presence.addEventListener("click", function () {
    sendWs({ type: "status", status: status === "away" ? "online" : "away" });
  });
  setInterval(function () {
    Object.keys(visitors).forEach(function (id) { tickVisitor(visitors[id]); });
    Object.keys(alerts).forEach(function (id) { tickAlert(alerts[id]); });
  }, 1000);
  window.addEventListener("pagehide", function () { stopped = true; if (ws) ws.close(); });
  connect();
})();

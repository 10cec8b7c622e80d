/* leadrail snippet: page views, identify, live chat. docs/live-widget.md */
(function () {
  "use strict";
  if (window.leadrail && window.leadrail.loaded) return;
  var tag = document.currentScript || document.querySelector("script[data-site-key]");
  if (!tag) return;
  var KEY = tag.getAttribute("data-site-key") || "";
  var BASE = tag.src.replace(/\/static\/leadrail\.js(\?.*)?$/, "");
  var STORE = "leadrail_visitor";
  var token = null;
  try { token = localStorage.getItem(STORE); } catch (e) { /* storage blocked */ }
  var ui = null, stream = null, retry = 0, conv = null, seen = {}, pending = [], tick = null;

  // The widget's words: English here, the visitor's language from the first answer (strings).
  var WORDS = {}, labelled = [];
  function T(id, name) {
    var text = WORDS[id] || id;
    return name == null ? text : text.replace("%(name)s", name);
  }
  function label(node, attr, id) { // a word on a node, put in the visitor's language later
    labelled.push([node, attr, id]);
    if (attr) node.setAttribute(attr, T(id)); else node.textContent = T(id);
    return node;
  }
  function learn(reply) {
    if (!reply || !reply.strings || !reply.lang) return;
    WORDS = reply.strings;
    labelled.forEach(function (l) { if (l[1]) l[0].setAttribute(l[1], T(l[2])); else l[0].textContent = T(l[2]); });
    if (ui) ui.root.setAttribute("lang", reply.lang);
  }

  function el(name, attrs, text) {
    var n = document.createElement(name);
    for (var k in attrs || {}) n.setAttribute(k, attrs[k]);
    if (text != null) n.textContent = String(text);
    return n;
  }

  var first = null; // the request that creates the visitor: later ones wait for its token
  function send(type, body, keepalive) {
    if (!token && first) return first.then(function () { return send(type, body, keepalive); });
    var p = post(type, body, keepalive);
    if (!token) first = p.then(null, function () { first = null; });
    return p;
  }

  function post(type, body, keepalive) {
    body = body || {};
    body.site_key = KEY; body.visitor = token; body.type = type;
    return fetch(BASE + "/api/v1/visitors/events", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), keepalive: !!keepalive, credentials: "omit"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = (data && data.error) || {};
          if (r.status === 403 && err.field === "visitor") { forget(); }
          throw new Error(err.message || "Request failed (" + r.status + ")");
        }
        if (data.visitor && data.visitor !== token) {
          token = data.visitor;
          try { localStorage.setItem(STORE, token); } catch (e) { /* storage blocked */ }
          connect();
        }
        learn(data);
        apply(data);
        return data;
      });
    });
  }

  function forget() {
    token = null;
    try { localStorage.removeItem(STORE); } catch (e) { /* storage blocked */ }
  }

  function apply(data) {
    if (data.conversation) setConv(data.conversation);
    if (data.offer && data.offer.length) offers(data.offer);
  }

  // ---- the stream (Server-Sent Events, reconnects with backoff) ----
  function connect() {
    if (!token || !window.EventSource) return;
    if (stream) stream.close();
    var url = BASE + "/api/v1/visitors/stream?site_key=" + encodeURIComponent(KEY) +
      "&visitor=" + encodeURIComponent(token);
    var es = stream = new EventSource(url);
    function on(name, fn) {
      es.addEventListener(name, function (ev) {
        var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
        retry = 0; fn(d);
      });
    }
    on("hello", function (d) {
      if (d.conversation && (d.conversation.status === "waiting" || d.conversation.status === "active")) {
        setConv(d.conversation);
        (d.messages || []).forEach(addMsg);
      }
    });
    on("chat.waiting", function (d) { setConv({ id: d.conversation_id, status: "waiting", countdown_seconds: d.countdown_seconds }); });
    on("chat.accepted", function (d) { setConv({ id: d.conversation_id, status: "active", rep: d.rep }); });
    on("chat.message", function (d) { addMsg(d.message); });
    on("chat.unanswered", function (d) {
      setConv({ id: d.conversation_id, status: "unanswered" });
      offers(d.offer || []);
    });
    on("chat.closed", function (d) { setConv({ id: d.conversation_id, status: "closed" }); });
    es.onerror = function () {
      if (es.readyState !== 2) return; // the browser retries by itself
      var wait = Math.min(30000, 1000 * Math.pow(2, retry++)) * (0.5 + Math.random() / 2);
      setTimeout(function () { if (stream === es) connect(); }, wait);
    };
  }

  // ---- the widget ----
  var CSS = ".lr-root{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;color:#1d2430}" +
    ".lr-root *{box-sizing:border-box}" +
    ".lr-launch{background:#1f5eff;color:#fff;border:0;border-radius:24px;padding:12px 18px;font:inherit;font-weight:650;cursor:pointer;box-shadow:0 4px 14px #0003}" +
    ".lr-panel{position:absolute;right:0;bottom:60px;width:340px;max-width:calc(100vw - 32px);height:460px;max-height:calc(100vh - 100px);background:#fff;border:1px solid #d9dde6;border-radius:12px;box-shadow:0 8px 30px #0003;display:flex;flex-direction:column;overflow:hidden}" +
    ".lr-root [hidden]{display:none!important}" +
    ".lr-head{display:flex;justify-content:space-between;align-items:center;padding:10px 12px;background:#141a26;color:#fff}" +
    ".lr-head h2{font-size:16px;margin:0}.lr-x{background:none;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}" +
    ".lr-status{padding:6px 12px;font-size:13px;color:#5b6472;border-bottom:1px solid #eef0f5}" +
    ".lr-log{flex:1;overflow:auto;padding:10px 12px;display:flex;flex-direction:column;gap:6px}" +
    ".lr-msg{max-width:85%;padding:6px 10px;border-radius:10px;background:#eef1f7;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".lr-msg.lr-me{align-self:flex-end;background:#1f5eff;color:#fff}.lr-msg.lr-sys{align-self:center;background:none;color:#5b6472;font-size:13px}" +
    ".lr-who{display:block;font-size:12px;opacity:.75}" +
    ".lr-offer{padding:8px 12px;border-top:1px solid #eef0f5;display:flex;flex-direction:column;gap:6px}" +
    ".lr-offer a.lr-book{background:#0a7a3d;color:#fff;text-align:center;padding:8px;border-radius:8px;text-decoration:none;font-weight:650}" +
    ".lr-root input,.lr-root textarea{font:inherit;padding:7px 8px;border:1px solid #c9cfdb;border-radius:6px;width:100%}" +
    ".lr-root textarea{min-height:60px;resize:vertical}" +
    ".lr-form{display:flex;gap:6px;padding:8px 12px;border-top:1px solid #eef0f5}" +
    ".lr-btn{background:#1f5eff;color:#fff;border:0;border-radius:6px;padding:7px 12px;font:inherit;font-weight:650;cursor:pointer}" +
    ".lr-err{color:#a4001d;font-size:13px}.lr-again{margin:8px 12px}" +
    "@media (max-width:480px){.lr-root{right:8px;bottom:8px}.lr-panel{position:fixed;inset:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0}}";

  function build() {
    if (ui) return ui;
    var style = el("style", {}, CSS);
    document.head.appendChild(style);
    var root = el("div", { "class": "lr-root", id: "leadrail-chat" });
    var launch = label(el("button", { type: "button", "class": "lr-launch", "aria-expanded": "false", "aria-controls": "lr-panel" }), null, "Chat with us");
    var panel = el("div", { "class": "lr-panel", id: "lr-panel", role: "dialog", "aria-labelledby": "lr-title", hidden: "" });
    var head = el("div", { "class": "lr-head" });
    head.appendChild(label(el("h2", { id: "lr-title" }), null, "Chat with us"));
    var close = label(el("button", { type: "button", "class": "lr-x" }, "\u00d7"), "aria-label", "Close chat");
    head.appendChild(close);
    var status = el("div", { "class": "lr-status", role: "status" }, "");
    var log = label(el("div", { "class": "lr-log", role: "log", "aria-live": "polite" }), "aria-label", "Messages");
    var offer = el("div", { "class": "lr-offer", hidden: "" });
    var form = el("form", { "class": "lr-form" });
    var input = label(label(el("textarea", { maxlength: "2000", rows: "1" }), "aria-label", "Your message"), "placeholder", "Type a message");
    var sendBtn = label(el("button", { type: "submit", "class": "lr-btn" }), null, "Send");
    form.appendChild(input); form.appendChild(sendBtn);
    var again = label(el("button", { type: "button", "class": "lr-btn lr-again", hidden: "" }), null, "Start a new chat");
    again.addEventListener("click", function () { newChat(); });
    [head, status, log, offer, form, again].forEach(function (n) { panel.appendChild(n); });
    root.appendChild(panel); root.appendChild(launch);
    document.body.appendChild(root);
    launch.addEventListener("click", function () { panel.hidden ? api.chat() : hide(); });
    close.addEventListener("click", hide);
    panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") hide(); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : submitMsg(); }
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); submitMsg(); });
    ui = { root: root, launch: launch, panel: panel, status: status, log: log, offer: offer, form: form, input: input, again: again };
    return ui;
  }

  function show() {
    build(); ui.panel.hidden = false; ui.launch.setAttribute("aria-expanded", "true");
    ui.input.focus();
  }
  function hide() {
    if (!ui) return;
    ui.panel.hidden = true; ui.launch.setAttribute("aria-expanded", "false"); ui.launch.focus();
  }
  function setStatus(text) { build(); ui.status.textContent = text; }

  function setConv(c) {
    build();
    if (!conv || conv.id !== c.id) { // a new chat starts on a clean page
      conv = { id: c.id }; ui.offer.hidden = true; pending = [];
      while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild);
    }
    conv.status = c.status || conv.status;
    if (c.rep) conv.rep = c.rep;
    clearInterval(tick);
    if (conv.status === "waiting") {
      var left = c.countdown_seconds || conv.left || 30;
      var draw = function () { conv.left = left; setStatus(T("Waiting for someone\u2026") + " (" + Math.max(0, left) + ")"); };
      draw();
      tick = setInterval(function () { left--; draw(); if (left <= 0) clearInterval(tick); }, 1000);
      ui.panel.hidden || ui.input.focus();
    } else if (conv.status === "active") {
      setStatus(T("You are chatting with %(name)s", (conv.rep && conv.rep.name) || T("us")));
      ui.offer.hidden = true;
    } else if (conv.status === "unanswered") {
      setStatus(T("Nobody is available right now."));
    } else if (conv.status === "closed") {
      setStatus(T("This chat has ended."));
    }
    ui.input.disabled = conv.status === "closed" || conv.status === "unanswered";
    ui.again.hidden = !ui.input.disabled; // an ended chat: another can start right away
  }

  function addMsg(m) {
    if (!m) return;
    build();
    if (m.id && seen[m.id]) return;
    if (m.id) seen[m.id] = 1;
    if (m.from === "visitor") {
      var i = pending.indexOf(m.text);
      if (i >= 0) { pending.splice(i, 1); return; } // already shown when sent
    }
    drawMsg(m.from, m.name, m.text);
  }

  function drawMsg(from, name, text) {
    var cls = from === "visitor" ? "lr-msg lr-me" : from === "system" ? "lr-msg lr-sys" : "lr-msg";
    var box = el("div", { "class": cls });
    if (from === "rep" && name) box.appendChild(el("span", { "class": "lr-who" }, name));
    box.appendChild(document.createTextNode(String(text == null ? "" : text)));
    ui.log.appendChild(box);
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function submitMsg() {
    var text = ui.input.value.trim();
    if (!text || ui.input.disabled) return;
    ui.input.value = "";
    pending.push(text);
    drawMsg("visitor", "", text);
    send("message", { text: text }).catch(function (e) {
      pending.splice(pending.indexOf(text), 1);
      drawMsg("system", "", T("Not sent: ") + e.message);
    });
  }

  // ---- what a visitor gets when nobody answers ----
  function safeUrl(u) {
    try {
      var url = new URL(u, BASE + "/");
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) { return null; }
  }

  function offers(list) {
    build();
    var box = ui.offer;
    while (box.firstChild) box.removeChild(box.firstChild);
    list.forEach(function (o) {
      if (o.kind === "booker") {
        var href = safeUrl(o.url);
        if (href) box.appendChild(el("a", { "class": "lr-book", href: href, target: "_blank", rel: "noopener" }, T("Book a meeting")));
      } else if (o.kind === "message") {
        box.appendChild(fieldsForm(T("Leave a message"), [["name", T("Your name"), "text"], ["email", T("Your e-mail"), "email"], ["text", T("Message"), "textarea"]], function (v) {
          return send("leave_message", { name: v.name, email: v.email, text: v.text });
        }, T("Thanks! We will get back to you.")));
      } else if (o.kind === "questions" && o.questions) {
        box.appendChild(fieldsForm(T("A few questions"), o.questions.map(function (q) { return [q.field, q.label, "text"]; }), function (v) {
          return send("answers", { answers: v });
        }, T("Thanks!")));
      }
    });
    box.hidden = !box.firstChild;
  }

  function fieldsForm(title, fields, submit, thanks) {
    var f = el("form", { "class": "lr-offer-form", "aria-label": title });
    f.appendChild(el("strong", {}, title));
    fields.forEach(function (d, i) {
      var id = "lr-f-" + title.length + "-" + i;
      f.appendChild(el("label", { "for": id }, d[1]));
      var inp = d[2] === "textarea" ? el("textarea", { id: id, maxlength: "2000" }) : el("input", { id: id, type: d[2] });
      inp.name = d[0];
      f.appendChild(inp);
    });
    var err = el("p", { "class": "lr-err", role: "alert" });
    f.appendChild(err);
    f.appendChild(el("button", { type: "submit", "class": "lr-btn" }, T("Send")));
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var v = {};
      fields.forEach(function (d) { v[d[0]] = f.elements[d[0]].value; });
      submit(v).then(function () {
        f.parentNode && f.parentNode.replaceChild(el("p", { role: "status" }, thanks), f);
      }, function (e) { err.textContent = e.message; });
    });
    return f;
  }

  // ---- page views, identify from the site's own forms ----
  function pageView() {
    return send("page_view", { url: location.href, title: document.title, referrer: document.referrer })
      .catch(function () { /* the site keeps working without us */ });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.elements || (ui && ui.root.contains(form))) return;
    var email = null, body = { fields: {} };
    Array.prototype.forEach.call(form.elements, function (n) {
      if (!n.name || n.tagName === "BUTTON" || /^(password|hidden|submit|file|checkbox|radio)$/.test(n.type)) return;
      var v = String(n.value || "").trim();
      if (!v) return;
      if (n.type === "email" || n.name.toLowerCase() === "email") { if (!email) email = v; }
      else if (n.name === "name" || n.name === "company") body[n.name] = v;
      else body.fields[n.name] = v.slice(0, 500);
    });
    if (!email) return;
    body.email = email;
    send("identify", body, true).catch(function () { /* ignore */ });
  }, true);

  var push = history.pushState;
  history.pushState = function () {
    var r = push.apply(this, arguments);
    setTimeout(pageView, 0);
    return r;
  };
  window.addEventListener("popstate", pageView);

  var api = {
    loaded: true,
    identify: function (who) {
      who = who || {};
      var f = {};
      for (var k in who.fields || {}) f[k] = String(who.fields[k]);
      return send("identify", { email: who.email, name: who.name, company: who.company, fields: f });
    },
    chat: function () {
      show();
      if (conv && (conv.status === "waiting" || conv.status === "active")) return Promise.resolve(conv);
      return newChat();
    }
  };

  function newChat() {
    setStatus(T("Connecting\u2026"));
    ui.again.hidden = true;
    return send("chat_request", {}).catch(function (e) { setStatus(e.message); });
  }
  window.leadrail = api;

  function start() { build(); connect(); pageView(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The rule stack editor: builds rules from the JSON in #rules-json, edits them (condition
// builder with the engine's operators, routes, per-rule ownership), reorders them by drag and
// by keyboard (Alt+Up/Down, Up/Down buttons) and writes the stack back into #rules-json, which
// the form posts. "Load into the editor" reads that box as JSON, or YAML through the server.
// Text is always set with textContent / value, never as HTML.
(function () {
  "use strict";
  var area = document.getElementById("rules-json");
  var editor = document.getElementById("rule-editor");
  var list = document.getElementById("rule-list");
  var live = document.getElementById("rule-live");
  var schema = JSON.parse(document.getElementById("rules-schema").textContent);
  var errors = JSON.parse(document.getElementById("rules-errors").textContent) || {};
  var stack = [];
  var dragFrom = null;

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (e) { node.addEventListener(e, attrs.on[e]); });
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    });
    (kids || []).forEach(function (kid) { if (kid) node.appendChild(kid); });
    return node;
  }
  function sync() { area.value = JSON.stringify(stack, null, 2); }
  function announce(text) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 30); }
  function replace(node, fresh) {
    Object.keys(node).forEach(function (k) { delete node[k]; });
    Object.assign(node, fresh);
  }
  function select(label, path, choices, value, onchange, blank) {
    var s = el("select", { "aria-label": label, "data-path": path, on: { change: function () { onchange(s.value); } } });
    if (blank) s.appendChild(el("option", { value: "", text: "(choose)" }));
    var seen = false;
    choices.forEach(function (c) {
      seen = seen || c === value;
      s.appendChild(el("option", { value: c, text: c, selected: c === value }));
    });
    if (value && !seen) s.appendChild(el("option", { value: value, text: value, selected: true }));
    return s;
  }
  function input(label, path, value, oninput, extra) {
    var i = el("input", Object.assign({ type: "text", "aria-label": label, "data-path": path }, extra || {}));
    i.value = value === undefined || value === null ? "" : String(value);
    i.addEventListener("input", function () { oninput(i.value); sync(); });
    return i;
  }
  function splitList(text) { return text.split(/[,;\n]+/).map(function (s) { return s.trim(); }).filter(Boolean); }

  // ---- values: what the text a person types means for each operator
  function valueOf(op, text) {
    if (op === "in" || op === "not_in") return splitList(text);
    if (op === "greater_than" || op === "less_than") {
      var n = Number(text);
      return text.trim() !== "" && isFinite(n) ? n : text;
    }
    if (op === "exists") return text !== "false";
    return text;
  }
  function textOf(value) {
    if (Array.isArray(value)) return value.join(", ");
    return value === undefined || value === null ? "" : String(value);
  }

  // ---- the condition builder
  function kindOf(node) {
    var kinds = schema.groups.concat(["always"]).filter(function (k) { return k in node; });
    return kinds.length ? kinds[0] : "comparison";
  }
  function freshLeaf() { return { field: "country", op: "equals", value: "" }; }
  function condition(node, path, label, onRemove) {
    var kind = kindOf(node);
    var box = el("div", { "class": "cond cond-" + kind, "data-path": path });
    var kinds = ["comparison"].concat(schema.groups, ["always"]);
    var head = el("div", { "class": "cond-head" }, [
      select(label + " kind", path + ".kind", kinds, kind, function (k) {
        if (k === "comparison") replace(node, freshLeaf());
        else if (k === "always") replace(node, { always: true });
        else if (k === "not") replace(node, { not: JSON.parse(JSON.stringify(node)) });
        else {
          var inner = kindOf(node) === "comparison" ? JSON.parse(JSON.stringify(node)) : freshLeaf();
          replace(node, {}); node[k] = [inner];
        }
        render();
      })
    ]);
    if (onRemove) head.appendChild(el("button", { type: "button", "class": "secondary small", text: "Remove", "aria-label": "Remove " + label, on: { click: onRemove } }));
    box.appendChild(head);
    if (kind === "comparison") box.appendChild(leaf(node, path, label));
    else if (kind === "not") {
      if (typeof node.not !== "object" || node.not === null) node.not = freshLeaf();
      box.appendChild(condition(node.not, path + ".not", label + " (not)", null));
    } else if (kind !== "always") {
      if (!Array.isArray(node[kind])) node[kind] = [];
      var items = node[kind];
      var ol = el("ol", { "class": "cond-items" });
      items.forEach(function (child, i) {
        if (typeof child !== "object" || child === null) items[i] = child = freshLeaf();
        ol.appendChild(el("li", {}, [condition(child, path + "." + kind + "[" + i + "]", label + " item " + (i + 1), function () {
          items.splice(i, 1); render();
        })]));
      });
      box.appendChild(ol);
      box.appendChild(el("button", { type: "button", "class": "secondary small", text: "Add a condition", on: { click: function () { items.push(freshLeaf()); render(); } } }));
      box.appendChild(el("button", { type: "button", "class": "secondary small", text: "Add a group", on: { click: function () { items.push({ any: [freshLeaf()] }); render(); } } }));
    }
    return box;
  }
  function leaf(node, path, label) {
    var row = el("div", { "class": "cond-leaf" });
    var field = input(label + " field", path + ".field", node.field, function (v) { node.field = v; }, { list: "rule-fields" });
    var op = select(label + " operator", path + ".op", schema.operators, node.op, function (v) {
      node.op = v; node.value = valueOf(v, textOf(node.value)); sync(); render();
    });
    row.appendChild(field); row.appendChild(op);
    if (node.op === "exists") {
      row.appendChild(select(label + " value", path + ".value", ["true", "false"], node.value === false ? "false" : "true", function (v) { node.value = v !== "false"; sync(); }));
    } else if (node.op === "in_list") {
      row.appendChild(select(label + " list", path + ".value", schema.lists, node.value, function (v) { node.value = v; sync(); }, true));
    } else {
      var hint = node.op === "in" || node.op === "not_in" ? "comma-separated values" : "value";
      row.appendChild(input(label + " value", path + ".value", textOf(node.value), function (v) { node.value = valueOf(node.op, v); }, { placeholder: hint }));
    }
    return row;
  }

  // ---- a rule's route and ownership
  function routeKind(route) {
    return schema.route_kinds.filter(function (k) { return route[k] !== undefined && route[k] !== null; })[0] || "team";
  }
  function routeEditor(rule, path, label) {
    if (typeof rule.route !== "object" || rule.route === null) rule.route = { team: schema.teams[0] || "" };
    var route = rule.route, kind = routeKind(route);
    var box = el("fieldset", { "class": "route", "data-path": path }, [el("legend", { text: "Route" })]);
    box.appendChild(select(label + " route kind", path + ".kind", schema.route_kinds, kind, function (k) {
      var fresh = {};
      fresh[k] = k === "broadcast" ? [] : k === "opportunity_owner" ? true : (k === "team" ? schema.teams[0] : k === "category" ? schema.categories[0] : "") || "";
      rule.route = fresh; sync(); render();
    }));
    function set(name) { return function (v) { if (v === "" && name !== kind) delete route[name]; else route[name] = v; sync(); }; }
    if (kind === "team") {
      box.appendChild(select(label + " team", path + ".team", schema.teams, route.team, set("team"), true));
      box.appendChild(input(label + " members (empty = all)", path + ".members", route.members === "all" ? "" : textOf(route.members), function (v) {
        var m = splitList(v); if (m.length) route.members = m; else delete route.members;
      }, { placeholder: "members: all" }));
      box.appendChild(select(label + " round robin", path + ".round_robin", ["strict", "flexible"], route.round_robin || "strict", set("round_robin")));
      var w = el("input", { type: "checkbox", "data-path": path + ".weighted", checked: route.weighted !== false, on: { change: function () { route.weighted = w.checked; sync(); } } });
      box.appendChild(el("label", { "class": "inline" }, [w, document.createTextNode(" weighted")]));
    } else if (kind === "user") {
      box.appendChild(input(label + " user", path + ".user", route.user, set("user"), { list: "rule-users" }));
    } else if (kind === "broadcast") {
      box.appendChild(input(label + " broadcast to", path + ".broadcast", textOf(route.broadcast), function (v) { route.broadcast = splitList(v); }));
    } else if (kind === "opportunity_owner") {
      box.appendChild(el("p", { "class": "small muted", text: "The owner of the prospect's open opportunity in the CRM (nobody available: the default route)." }));
    } else {
      box.appendChild(select(label + " category", path + ".category", schema.categories, route.category, set("category"), true));
      box.appendChild(select(label + " store", path + ".store", schema.stores, route.store, set("store"), true));
    }
    return box;
  }
  function ownershipEditor(rule, path, label) {
    var box = el("fieldset", { "class": "ownership", "data-path": path }, [el("legend", { text: "Ownership" })]);
    var on = el("input", { type: "checkbox", checked: !!rule.ownership, on: { change: function () {
      if (on.checked) rule.ownership = { enabled: true }; else delete rule.ownership;
      sync(); render();
    } } });
    box.appendChild(el("label", { "class": "inline" }, [on, document.createTextNode(" This rule has its own ownership settings")]));
    if (!rule.ownership) return box;
    var own = rule.ownership;
    schema.ownership.forEach(function (w) {
      var p = path + "." + w.name, l = label + " ownership " + w.label;
      if (w.kind === "checkbox") {
        var c = el("input", { type: "checkbox", "data-path": p, checked: !!own[w.name], on: { change: function () { own[w.name] = c.checked; sync(); } } });
        box.appendChild(el("label", { "class": "inline" }, [c, document.createTextNode(" " + w.label)]));
      } else if (w.kind === "checkboxes") {
        var current = Array.isArray(own[w.name]) ? own[w.name] : w.choices.slice();
        var group = el("span", { "data-path": p, "class": "choices" }, [document.createTextNode(w.label + ": ")]);
        w.choices.forEach(function (choice) {
          var cb = el("input", { type: "checkbox", checked: current.indexOf(choice) >= 0, on: { change: function () {
            own[w.name] = w.choices.filter(function (x, i) { return group.querySelectorAll("input")[i].checked; }); sync();
          } } });
          group.appendChild(el("label", { "class": "inline" }, [cb, document.createTextNode(" " + choice)]));
        });
        box.appendChild(group);
      } else if (w.kind === "select") {
        box.appendChild(select(l, p, w.choices, own[w.name], function (v) { own[w.name] = v; sync(); }));
      } else {
        box.appendChild(input(l, p, textOf(own[w.name]), function (v) { own[w.name] = v; }));
      }
    });
    return box;
  }

  // ---- the stack: render, reorder, errors
  function ruleItem(rule, i) {
    var path = "rules[" + i + "]", label = "Rule " + (i + 1);
    if (typeof rule.when !== "object" || rule.when === null) rule.when = freshLeaf();
    var handle = el("span", { "class": "handle", "aria-hidden": "true", text: "⠿", title: "Drag to reorder" });
    var li = el("li", { "class": "rule card", tabindex: "0", "data-index": i, "data-path": path,
      "aria-label": label + ": " + (rule.name || "(no name)") + ". Alt+Up or Alt+Down moves it." });
    handle.addEventListener("mousedown", function () { li.draggable = true; });
    li.appendChild(el("div", { "class": "rule-head" }, [
      handle,
      el("strong", { text: (i + 1) + "." }),
      input(label + " name", path + ".name", rule.name, function (v) { rule.name = v; }),
      el("button", { type: "button", "class": "secondary small", text: "Up", "aria-label": "Move " + label + " up", disabled: i === 0, on: { click: function () { move(i, i - 1); } } }),
      el("button", { type: "button", "class": "secondary small", text: "Down", "aria-label": "Move " + label + " down", disabled: i === stack.length - 1, on: { click: function () { move(i, i + 1); } } }),
      el("button", { type: "button", "class": "danger small", text: "Delete", "aria-label": "Delete " + label, on: { click: function () {
        stack.splice(i, 1); render(); announce("Deleted " + label + ".");
      } } })
    ]));
    li.appendChild(el("div", { "class": "when" }, [el("span", { "class": "small muted", text: "When" }), condition(rule.when, path + ".when", label + " condition", null)]));
    li.appendChild(input(label + " reason (shown with the trace)", path + ".reason", rule.reason || "", function (v) {
      if (v.trim()) rule.reason = v; else delete rule.reason;
    }, { placeholder: "e.g. Target account, owner is in Tokyo" }));
    li.appendChild(routeEditor(rule, path + ".route", label));
    li.appendChild(ownershipEditor(rule, path + ".ownership", label));
    li.addEventListener("keydown", function (ev) {
      if (!ev.altKey || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
      ev.preventDefault();
      move(i, ev.key === "ArrowUp" ? i - 1 : i + 1);
    });
    li.addEventListener("dragstart", function (ev) { dragFrom = i; ev.dataTransfer.effectAllowed = "move"; ev.dataTransfer.setData("text/plain", String(i)); li.classList.add("dragging"); });
    li.addEventListener("dragend", function () { li.draggable = false; li.classList.remove("dragging"); });
    li.addEventListener("dragover", function (ev) { if (dragFrom !== null) { ev.preventDefault(); li.classList.add("drop-target"); } });
    li.addEventListener("dragleave", function () { li.classList.remove("drop-target"); });
    li.addEventListener("drop", function (ev) { ev.preventDefault(); var from = dragFrom; dragFrom = null; if (from !== null) move(from, i); });
    return li;
  }
  function move(from, to) {
    if (to < 0 || to >= stack.length || from === to) return;
    var rule = stack.splice(from, 1)[0];
    stack.splice(to, 0, rule);
    errors = {};
    render();
    var moved = list.children[to];
    if (moved) moved.focus();
    announce("Moved rule '" + (rule.name || "") + "' to position " + (to + 1) + " of " + stack.length + ".");
  }
  function render() {
    sync();
    while (list.firstChild) list.removeChild(list.firstChild);
    stack.forEach(function (rule, i) { list.appendChild(ruleItem(rule, i)); });
    markErrors();
  }
  function markErrors() {
    Object.keys(errors).forEach(function (path, n) {
      var p = path, target = null;
      while (p && !(target = list.querySelector('[data-path="' + p.replace(/"/g, "") + '"]'))) {
        var shorter = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
        if (shorter === p) break;
        p = shorter;
      }
      if (!target) return;
      var id = "rule-err-" + n;
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", id);
      var msg = el("p", { "class": "field-error", id: id, text: path + ": " + errors[path] });
      target.parentNode.insertBefore(msg, target.nextSibling);
      var li = target.closest("li.rule");
      if (li) li.classList.add("has-error");
    });
  }
  function load(data) {
    if (!Array.isArray(data)) throw new Error("the rule stack is a list of rules");
    stack = data.map(function (r) { return r && typeof r === "object" ? r : { name: String(r) }; });
  }
  // The text box as a stack: JSON here, anything else (YAML) read by the server, with the
  // same reading as a save's. Calls done(stack) or failed(reason).
  function readText(text, done, failed) {
    try { done(JSON.parse(text || "[]")); return; } catch (e) { /* not JSON: ask the server */ }
    var body = new FormData();
    body.append("rules_json", text);
    var meta = document.querySelector('meta[name="csrf-token"]');
    fetch(document.getElementById("rules-form").getAttribute("action") + "/read", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.content : "" }
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (r.ok && answer && Array.isArray(answer.rules)) done(answer.rules);
        else failed(answer && answer.error ? answer.error.message : "the server answered " + r.status);
      });
    }).catch(function () { failed("the server could not be reached"); });
  }

  document.getElementById("add-rule").addEventListener("click", function () {
    var rule = { name: "Rule " + (stack.length + 1), when: freshLeaf(), route: { team: schema.teams[0] || "" } };
    stack.push(rule);
    errors = {};
    render();
    var input = list.lastChild && list.lastChild.querySelector("input");
    if (input) input.focus();
    announce("Added rule " + stack.length + ".");
  });
  var loadButton = document.getElementById("load-json");
  loadButton.hidden = false;
  var loadStatus = document.getElementById("load-status");
  function loadFailed(reason) {
    loadStatus.textContent = "The text could not be read: " + reason;
    loadStatus.className = "small field-error";
    area.setAttribute("aria-invalid", "true");
  }
  loadButton.addEventListener("click", function () {
    readText(area.value, function (data) {
      try { load(data); } catch (e) { loadFailed(e.message); return; }
      errors = {}; editor.hidden = false; area.removeAttribute("aria-invalid"); render();
      loadStatus.textContent = "Loaded " + stack.length + " rule" + (stack.length === 1 ? "" : "s") + " into the editor.";
      loadStatus.className = "small";
    }, loadFailed);
  });
  document.body.appendChild(el("datalist", { id: "rule-fields" }, schema.fields.map(function (f) { return el("option", { value: f }); })));
  document.body.appendChild(el("datalist", { id: "rule-users" }, schema.users.map(function (u) { return el("option", { value: u }); })));
  // The stack as the server read it (also after a refused save, JSON or YAML), or null when
  // the text could not be read as one: then the text box alone shows it, with the reason.
  var initial = JSON.parse(document.getElementById("rules-data").textContent);
  if (Array.isArray(initial)) {
    load(initial);
    editor.hidden = false;
    if (!errors.rules) document.getElementById("json-details").open = false;
    render();
  }
})();

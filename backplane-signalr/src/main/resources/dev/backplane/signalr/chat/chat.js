// The chat page: one SignalR connection to the node that served it. Messages typed on any node's
// page reach every page in the same room, whatever node it is connected to.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let connection = null;

  function add(html, cls) {
    const li = document.createElement("li");
    if (cls) li.className = cls;
    li.innerHTML = html;
    $("messages").appendChild(li);
    $("messages").scrollTop = $("messages").scrollHeight;
  }
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  async function refreshOnline() {
    if (!connection || connection.state !== signalR.HubConnectionState.Connected) return;
    const online = await connection.invoke("online");
    $("node").textContent = "connected to " + online.node;
    $("online").innerHTML = online.users.map((u) => "<li>" + esc(u) + "</li>").join("");
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = $("name").value.trim();
    const room = $("room").value.trim();
    if (!connection) {
      connection = new signalR.HubConnectionBuilder()
        .withUrl("/chat", { accessTokenFactory: () => name })
        .withAutomaticReconnect()
        .build();
      connection.on("message", (user, r, text, node) =>
        add("<b>" + esc(user) + "</b>: " + esc(text) + ' <span class="meta">(' + esc(r) + ", via " + esc(node) + ")</span>"));
      connection.on("joined", (user, r, node) => { add(esc(user) + " joined " + esc(r) + " on " + esc(node), "event"); refreshOnline(); });
      connection.on("left", (user, r) => { add(esc(user) + " left " + esc(r), "event"); refreshOnline(); });
      connection.onreconnected(() => connection.invoke("join", room));
      await connection.start();
      $("name").disabled = true;
      setInterval(refreshOnline, 2000);
    }
    await connection.invoke("join", room);
    $("text").disabled = false;
    $("send").disabled = false;
    $("text").focus();
    await refreshOnline();
  });

  $("compose").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("text").value;
    if (!text) return;
    $("text").value = "";
    await connection.invoke("send", text);
  });
})();

// Scenarios for the official JavaScript SignalR client against two server nodes.
// Usage: node scenarios.mjs NAME, with NODE1 and NODE2 set to the hub URLs of the two nodes.
// Prints "PASS NAME" and exits 0 when every check holds; prints the failure and exits 1 otherwise.
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);
const signalR = require("@microsoft/signalr");
const { MessagePackHubProtocol } = require("@microsoft/signalr-protocol-msgpack");

const NODE1 = process.env.NODE1;
const NODE2 = process.env.NODE2;
const WAIT_MS = 15000;

function connect(url, { token, transport = signalR.HttpTransportType.WebSockets, msgpack = false,
  stateful = false, skipNegotiation = false } = {}) {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(url, { transport, skipNegotiation, accessTokenFactory: token ? () => token : undefined })
    .configureLogging(signalR.LogLevel.Warning);
  if (msgpack) builder = builder.withHubProtocol(new MessagePackHubProtocol());
  if (stateful) builder = builder.withStatefulReconnect();
  return builder.build();
}

async function started(...args) {
  const c = connect(...args);
  await c.start();
  return c;
}

/** Records every call of a client method: an array of argument arrays. */
function record(connection, method) {
  const calls = [];
  connection.on(method, (...args) => { calls.push(args); });
  return calls;
}

async function waitFor(what, check, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Waits a little for anything that should not arrive: the absence is checked after a round trip. */
async function roundTrip(...connections) {
  for (const c of connections) await c.invoke("echo", "sync");
}

async function targets({ transport = signalR.HttpTransportType.WebSockets, msgpack = false } = {}) {
  const a = await started(NODE1, { token: "user:alice", transport, msgpack });
  const b = await started(NODE2, { token: "user:bob", transport, msgpack });
  const c = await started(NODE2, { token: "user:alice", transport, msgpack });
  const all = [a, b, c];
  try {
    assert.equal(await a.invoke("echo", "hello"), "hello");
    assert.equal(await b.invoke("add", 2, 3), 5);
    const who = await b.invoke("whoAmI");
    assert.equal(who.connectionId, b.connectionId);
    assert.equal(who.userId, "bob");
    assert.equal(who.connected, true);

    // all: from node 1, to both nodes
    const broadcasts = all.map((x) => record(x, "broadcast"));
    await a.invoke("broadcast", "to everyone");
    await waitFor("the broadcast on all three connections", () => broadcasts.every((r) => r.length === 1));
    for (const r of broadcasts) assert.deepEqual(r[0], [a.connectionId, "to everyone"]);

    // group: b joins on node 2, a sends from node 1
    const groupMsgs = all.map((x) => record(x, "groupMessage"));
    await b.invoke("join", "room");
    await a.invoke("sendToGroup", "room", "to the room");
    await waitFor("the group message on b", () => groupMsgs[1].length === 1);
    assert.deepEqual(groupMsgs[1][0], ["room", "to the room"]);
    await roundTrip(a, c);
    assert.equal(groupMsgs[0].length, 0, "a is not in the group");
    assert.equal(groupMsgs[2].length, 0, "c is not in the group");
    await b.invoke("leave", "room");
    await a.invoke("sendToGroup", "room", "after leaving");
    await roundTrip(b);

    // user: alice has a connection on each node
    const userMsgs = all.map((x) => record(x, "userMessage"));
    await b.invoke("sendToUser", "alice", "for alice");
    await waitFor("the user message on both of alice's connections", () => userMsgs[0].length === 1 && userMsgs[2].length === 1);
    await roundTrip(b);
    assert.equal(userMsgs[1].length, 0, "bob is not alice");

    // connection: node 1 to one connection on node 2
    const direct = all.map((x) => record(x, "direct"));
    await a.invoke("sendToConnection", c.connectionId, "just c");
    await waitFor("the direct message on c", () => direct[2].length === 1);
    await roundTrip(a, b);
    assert.equal(direct[0].length + direct[1].length, 0);

    // others: everyone but the caller
    const others = all.map((x) => record(x, "others"));
    await c.invoke("toOthers", "not c");
    await waitFor("others", () => others[0].length === 1 && others[1].length === 1);
    await roundTrip(c);
    assert.equal(others[2].length, 0);

    // errors come back as the protocol's completions
    await assert.rejects(a.invoke("fail", "told you"), /HubException: told you/);
    await assert.rejects(a.invoke("crash"), (e) => !String(e).includes("secret") && /unexpected error/.test(String(e)));
    await assert.rejects(a.invoke("noSuchMethod"), /Method does not exist/);
    await assert.rejects(a.invoke("add", 1), /expects 2/);
    await assert.rejects(a.invoke("adminOnly"), /unauthorized/);
    assert.equal(await a.invoke("echo", "still connected"), "still connected");
  } finally {
    await Promise.all(all.map((x) => x.stop()));
  }
}

const scenarios = {
  async "targets-websockets-json"() {
    await targets({});
  },

  async "targets-websockets-messagepack"() {
    await targets({ msgpack: true });
    const a = await started(NODE1, { token: "user:alice", msgpack: true });
    try {
      assert.equal(await a.invoke("length", new Uint8Array([1, 2, 3, 4])), 4);
      const items = [];
      await new Promise((resolve, reject) => a.stream("countdown", 3).subscribe({
        next: (i) => items.push(i), complete: resolve, error: reject }));
      assert.deepEqual(items, [3, 2, 1]);
    } finally {
      await a.stop();
    }
  },

  async "targets-server-sent-events"() {
    await targets({ transport: signalR.HttpTransportType.ServerSentEvents });
  },

  async "targets-long-polling"() {
    await targets({ transport: signalR.HttpTransportType.LongPolling });
  },

  async "targets-long-polling-messagepack"() {
    await targets({ transport: signalR.HttpTransportType.LongPolling, msgpack: true });
  },

  async "skip-negotiation"() {
    const a = await started(NODE1, { token: "user:alice", skipNegotiation: true });
    const b = await started(NODE2, { token: "user:bob", skipNegotiation: true });
    try {
      const got = record(b, "direct");
      await a.invoke("sendToConnection", b.connectionId ?? (await b.invoke("whoAmI")).connectionId, "hi");
      await waitFor("the direct message", () => got.length === 1);
    } finally {
      await a.stop();
      await b.stop();
    }
  },

  async "client-results"() {
    const a = await started(NODE1, { token: "user:alice" });
    const b = await started(NODE2, { token: "user:bob" });
    const silent = await started(NODE2, { token: "user:carol" });
    try {
      b.on("ask", (question) => `bob answers ${question}`);
      assert.equal(await a.invoke("askClient", b.connectionId, "q1"), "bob answers q1");
      await assert.rejects(a.invoke("askClient", silent.connectionId, "q2"), /provide a result/);
      await assert.rejects(a.invoke("askClient", "aaaaaaaaaaaa.0000000000000000", "q3"), /unexpected error/);
      // a client asked by a hub method of its own call
      assert.equal(await b.invoke("askClient", b.connectionId, "self"), "bob answers self");
    } finally {
      await Promise.all([a.stop(), b.stop(), silent.stop()]);
    }
  },

  async "streaming"() {
    for (const msgpack of [false, true]) {
      const a = await started(NODE1, { token: "user:alice", msgpack });
      try {
        // server to client: a Flow.Publisher and an Iterator
        const items = [];
        await new Promise((resolve, reject) => a.stream("counter", 5, 0).subscribe({
          next: (i) => items.push(i), complete: resolve, error: reject }));
        assert.deepEqual(items, [0, 1, 2, 3, 4]);
        const down = [];
        await new Promise((resolve, reject) => a.stream("countdown", 4).subscribe({
          next: (i) => down.push(i), complete: resolve, error: reject }));
        assert.deepEqual(down, [4, 3, 2, 1]);

        // cancel: the client disposes after three items, the server stops sending
        const cancelledBefore = await a.invoke("cancelledCounters");
        const some = [];
        let sub;
        await new Promise((resolve) => {
          sub = a.stream("counter", 100000, 5).subscribe({
            next: (i) => { some.push(i); if (some.length === 3) { sub.dispose(); resolve(); } },
            complete: () => {}, error: () => {} });
        });
        assert.equal(await a.invoke("echo", "alive after cancel"), "alive after cancel");
        let stopped = 0;
        for (let i = 0; i < 500 && stopped <= cancelledBefore; i++) {
          stopped = await a.invoke("cancelledCounters");
          if (stopped <= cancelledBefore) await new Promise((r) => setTimeout(r, 10));
        }
        assert.ok(stopped > cancelledBefore, "the server's publisher saw the cancel");
        assert.ok(some.length >= 3);

        // client to server: a Subject as an argument
        const numbers = new signalR.Subject();
        const total = a.invoke("sum", numbers);
        for (const n of [1, 2, 3, 4]) numbers.next(n);
        numbers.complete();
        assert.equal(await total, 10);
        const parts = new signalR.Subject();
        const joined = a.invoke("concat", parts);
        parts.next("ab");
        parts.next("cd");
        parts.complete();
        assert.equal(await joined, "abcd");
      } finally {
        await a.stop();
      }
    }
  },

  async "stateful-reconnect"() {
    // alice on node 1 asks for stateful reconnect; bob on node 2 sends to her through the backplane
    const a = connect(NODE1, { token: "user:alice", stateful: true });
    const reconnects = [];
    a.onreconnected((id) => reconnects.push(id));
    let closed = null;
    a.onclose((e) => { closed = e ?? "closed"; });
    await a.start();
    const b = await started(NODE2, { token: "user:bob" });
    const id = a.connectionId;
    const numbered = record(a, "numbered");
    try {
      await b.invoke("sendNumbered", "alice", "before", 5);
      await waitFor("the first five", () => numbered.length === 5);
      // On the server: frames to alice are lost on the way from now on, 20 messages come from node 2
      // through the backplane and 5 from node 1, then her socket fails without a close. She resumes
      // the same connection and gets every one of them, once, in order.
      await a.send("loseWritesWhileNodesSend", "alice", 20, 5);
      await waitFor("the lost messages, replayed", () => numbered.length === 30);
      await b.invoke("sendNumbered", "alice", "after", 5);
      await waitFor("five more", () => numbered.length === 35);
      await roundTrip(a, b);
      const seen = numbered.map(([sender, i]) => `${sender}${i}`);
      assert.equal(new Set(seen).size, seen.length, "no duplicates: " + seen.join(","));
      const from = (sender) => seen.filter((x) => x.startsWith(sender));
      const range = (sender, n) => Array.from({ length: n }, (_, i) => `${sender}${i}`);
      assert.deepEqual(seen.slice(0, 5), range("before", 5));
      assert.deepEqual(from("remote"), range("remote", 20), "node 2's messages in order");
      assert.deepEqual(from("local"), range("local", 5), "node 1's messages in order");
      assert.deepEqual(seen.slice(30), range("after", 5));
      assert.equal(a.connectionId, id, "the same connection");
      assert.equal(reconnects.length, 0, "resumed, not reconnected");
      assert.equal(closed, null);
      assert.equal(await a.invoke("echo", "after resume"), "after resume");
    } finally {
      await a.stop();
      await b.stop();
    }
  },

  async "negotiate-errors"() {
    // a refused token: 401 at negotiate, the client's start fails
    await assert.rejects(started(NODE1, { token: "expired:alice" }), /401/);
    await assert.rejects(started(NODE1, { token: "nonsense" }), /401/);
    const admin = await started(NODE1, { token: "admin:root" });
    try {
      assert.equal(await admin.invoke("adminOnly"), "admin ok");
    } finally {
      await admin.stop();
    }
  },
};

const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario) {
  console.error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
try {
  await scenario();
  console.log(`PASS ${name}`);
  process.exit(0);
} catch (e) {
  console.error(`FAIL ${name}:`, e);
  process.exit(1);
}

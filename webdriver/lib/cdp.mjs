// A minimal Chrome DevTools Protocol client for one page target of the browser chromedriver
// started (its DevTools endpoint is chromedriver's `goog:chromeOptions.debuggerAddress`, on
// loopback). Used to run code in a content script's isolated world — what a compromised webmail
// renderer can do — which WebDriver's executeScript (the page's main world) cannot.
import WebSocket from "ws";

/** Attach to the page target whose URL starts with `urlPrefix`. */
export async function attachToPage(driver, urlPrefix) {
  const caps = await driver.getCapabilities();
  const address = caps.get("goog:chromeOptions")?.debuggerAddress;
  if (!address) throw new Error("chromedriver reported no DevTools address");
  const base = `http://${address.replace(/^localhost:/, "127.0.0.1:")}`;
  const targets = await (await fetch(`${base}/json/list`)).json();
  const page = targets.find((t) => t.type === "page" && t.url.startsWith(urlPrefix));
  if (!page) throw new Error(`no page target at ${urlPrefix}: ${targets.map((t) => t.url).join(", ")}`);
  const ws = new WebSocket(page.webSocketDebuggerUrl.replace("ws://localhost:", "ws://127.0.0.1:"));
  await new Promise((res, rej) => {
    ws.once("open", res);
    ws.once("error", rej);
  });
  let next = 0;
  const pending = new Map();
  const events = [];
  ws.on("message", (data) => {
    const m = JSON.parse(String(data));
    if (m.id !== undefined) pending.get(m.id)?.(m);
    else events.push(m);
  });
  const send = (method, params = {}) =>
    new Promise((res, rej) => {
      const id = ++next;
      const timer = setTimeout(() => rej(new Error(`${method}: no answer`)), 15000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        if (m.error) rej(new Error(`${method}: ${m.error.message}`));
        else res(m.result);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, events, close: () => ws.close() };
}

/**
 * The execution contexts of isolated worlds in the attached page (content scripts), after
 * `Runtime.enable` reported the existing ones; `name` is the extension's name.
 */
export async function isolatedWorlds(session, timeoutMs = 5000) {
  await session.send("Runtime.enable");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const worlds = session.events
      .filter((e) => e.method === "Runtime.executionContextCreated")
      .map((e) => e.params.context)
      .filter((c) => c.auxData?.type === "isolated");
    if (worlds.length > 0 || Date.now() > deadline) return worlds;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Evaluate `expression` (a promise is awaited) in the context `contextId`; its JSON value. */
export async function evaluateIn(session, contextId, expression) {
  const r = await session.send("Runtime.evaluate", { expression, contextId, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
  return r.result.value;
}

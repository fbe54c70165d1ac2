// A stand-in for a video platform's call page, served on loopback so browser tests never
// reach the real Jitsi. Every path under /call answers with a tiny page naming the call.
import http from "node:http";

const port = Number(process.argv[2] ?? 3108);
// Feeds whose start is fixed by key, so syncs see the same event until a test moves it.
const feeds = new Map();
// Webhook bodies received at /hook/<key>, with their signature headers, by key.
const hooks = new Map();
http
  .createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    if (req.url?.startsWith("/hook/") && req.method === "POST") {
      // A webhook receiver: keeps each delivery's type and headers under its key.
      const key = req.url.slice("/hook/".length);
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        let type = null;
        try {
          type = JSON.parse(body).type;
        } catch {}
        const got = hooks.get(key) ?? [];
        got.push({ type, id: req.headers["webhook-id"], signature: req.headers["webhook-signature"] ?? "" });
        hooks.set(key, got);
        res.writeHead(204);
        res.end();
      });
      return;
    }
    if (req.url?.startsWith("/hook-received/")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(hooks.get(req.url.slice("/hook-received/".length)) ?? []));
      return;
    }
    if (req.url?.startsWith("/feed-state")) {
      // Test control: ?key=K&cancelled=1 cancels feed K's event; &move=S moves it S seconds.
      const params = new URL(req.url, "http://stub").searchParams;
      const state = feeds.get(params.get("key")) ?? {};
      if (params.has("cancelled")) state.cancelled = params.get("cancelled") === "1";
      if (params.has("move")) state.start = new Date(state.start.getTime() + Number(params.get("move")) * 1000);
      feeds.set(params.get("key"), state);
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.url?.startsWith("/feed.ics")) {
      // A calendar with one event for ?room=<room URL>, starting ?in=<seconds> from now.
      // With ?key=K the start is fixed at the first fetch (and /feed-state can cancel or
      // move it); with &rich=1 the event has a description, an organizer and attendees.
      const params = new URL(req.url, "http://stub").searchParams;
      const key = params.get("key");
      const state = key ? feeds.get(key) ?? {} : {};
      if (!state.start) state.start = new Date(Date.now() + Number(params.get("in") ?? 60) * 1000);
      if (key) feeds.set(key, state);
      const start = state.start;
      const end = new Date(start.getTime() + Number(params.get("minutes") ?? 10) * 60 * 1000);
      const fmt = (d) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
      const rich = params.get("rich") === "1"
        ? [
            "DESCRIPTION:Agenda and notes: https://docs.example.com/agenda-42 — bring ideas",
            "ORGANIZER;CN=Grace Hopper:mailto:grace@example.com",
            "ATTENDEE;CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@example.com",
            "ATTENDEE;CN=Alan Turing;PARTSTAT=TENTATIVE:mailto:alan@example.com",
            "ATTENDEE;CN=Edsger Dijkstra;PARTSTAT=DECLINED:mailto:edsger@example.com",
            "ATTENDEE;CN=Barbara Liskov;PARTSTAT=NEEDS-ACTION:mailto:barbara@example.com",
          ]
        : [];
      res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" });
      res.end(
        [
          "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//roomcal e2e//EN",
          "BEGIN:VEVENT", `UID:e2e-${key ?? "standup"}`, `DTSTAMP:${fmt(new Date())}`,
          `DTSTART:${fmt(start)}`, `DTEND:${fmt(end)}`,
          `SUMMARY:${params.get("title") ?? "Daily standup"}`,
          `LOCATION:${params.get("room")}`, ...rich,
          ...(state.cancelled ? ["STATUS:CANCELLED"] : []),
          "END:VEVENT", "END:VCALENDAR", "",
        ].join("\r\n"),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    const name = decodeURIComponent((req.url ?? "").replace(/^\/call\//, ""));
    res.end(`<!doctype html><title>stub call</title><p id="stub-call">call ${name}</p>`);
  })
  .listen(port, "127.0.0.1");

// A stand-in for a video platform's call page, served on loopback so browser tests never
// reach the real Jitsi. Every path under /call answers with a tiny page naming the call.
import http from "node:http";

const port = Number(process.argv[2] ?? 3108);
http
  .createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    if (req.url?.startsWith("/feed.ics")) {
      // A calendar with one event for ?room=<room URL>, starting ?in=<seconds> from now.
      const params = new URL(req.url, "http://stub").searchParams;
      const start = new Date(Date.now() + Number(params.get("in") ?? 60) * 1000);
      const end = new Date(start.getTime() + 10 * 60 * 1000);
      const fmt = (d) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
      res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" });
      res.end(
        [
          "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//roomcal e2e//EN",
          "BEGIN:VEVENT", "UID:e2e-standup", `DTSTAMP:${fmt(new Date())}`,
          `DTSTART:${fmt(start)}`, `DTEND:${fmt(end)}`, "SUMMARY:Daily standup",
          `LOCATION:${params.get("room")}`, "END:VEVENT", "END:VCALENDAR", "",
        ].join("\r\n"),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    const name = decodeURIComponent((req.url ?? "").replace(/^\/call\//, ""));
    res.end(`<!doctype html><title>stub call</title><p id="stub-call">call ${name}</p>`);
  })
  .listen(port, "127.0.0.1");

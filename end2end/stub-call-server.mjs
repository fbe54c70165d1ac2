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
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    const name = decodeURIComponent((req.url ?? "").replace(/^\/call\//, ""));
    res.end(`<!doctype html><title>stub call</title><p id="stub-call">call ${name}</p>`);
  })
  .listen(port, "127.0.0.1");

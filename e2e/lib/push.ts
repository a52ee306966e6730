// A Web Push service for the browser tests, and a device's side of Web
// Push. The service is an HTTPS server on the loopback port the server
// under test was started with (--push-test-endpoint, its certificate given
// with --push-test-ca: both test-only options) that takes pushes as a
// vendor's push service does. The device opens them as a browser would: it
// checks the VAPID signature (RFC 8292) and decrypts the body (RFC 8291,
// aes128gcm), independently of the server's code.
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { createServer, type Server } from "node:https";

/** Push is one push the service took. */
export type Push = { path: string; headers: IncomingHttpHeaders; body: Buffer };

/** Payload is what the server's pushes say (the Web Push contract). */
export type Payload = {
  v: number;
  kind: string;
  org_id: string;
  url: string;
  tag: string;
  title: string;
  body: string;
};

const dir = new URL("./push-service/", import.meta.url);

/** PushService is the loopback push service; received lists pushes in arrival order. */
export class PushService {
  readonly received: Push[] = [];
  private constructor(
    private server: Server,
    readonly origin: string,
  ) {}

  /** start listens on ATRIUM_E2E_PUSH_PORT (set by scripts/test-web.sh). */
  static async start(): Promise<PushService> {
    const port = Number(process.env.ATRIUM_E2E_PUSH_PORT ?? "");
    if (!port)
      throw new Error("ATRIUM_E2E_PUSH_PORT is not set: run the browser tests with scripts/test-web.sh");
    const server = createServer({
      cert: readFileSync(new URL("cert.pem", dir)),
      key: readFileSync(new URL("key.pem", dir)),
    });
    const svc = new PushService(server, `https://127.0.0.1:${port}`);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        svc.received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return svc;
  }

  /** endpoint is a device's push endpoint on this service. */
  endpoint(device: string): string {
    return `${this.origin}/send/${device}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Device is a browser's push subscription: a P-256 key pair and a 16-byte auth secret. */
export class Device {
  private ecdh = createECDH("prime256v1");
  private publicKey: Buffer;
  private auth = randomBytes(16);
  constructor() {
    this.publicKey = this.ecdh.generateKeys(); // the uncompressed point, 65 bytes
  }

  /** keys are the subscription's keys as browsers give them (base64url). */
  keys(): { p256dh: string; auth: string } {
    return { p256dh: this.publicKey.toString("base64url"), auth: this.auth.toString("base64url") };
  }

  /** open checks a push's headers and VAPID signature and decrypts its payload. */
  open(p: Push, vapidKey: string, endpoint: string): Payload {
    if (p.headers["content-encoding"] !== "aes128gcm")
      throw new Error(`content-encoding ${p.headers["content-encoding"]}`);
    verifyVAPID(String(p.headers.authorization ?? ""), vapidKey, endpoint);
    return JSON.parse(this.decrypt(p.body));
  }

  /** decrypt opens an aes128gcm body (RFC 8188 with the RFC 8291 keys): one record. */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const rs = body.readUInt32BE(16);
    const idlen = body[20];
    const senderKey = body.subarray(21, 21 + idlen);
    const record = body.subarray(21 + idlen);
    if (idlen !== 65 || record.length > rs || record.length < 17) {
      throw new Error(`aes128gcm header: key id ${idlen} bytes, record ${record.length} of at most ${rs}`);
    }
    const shared = this.ecdh.computeSecret(senderKey);
    const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), this.publicKey, senderKey]);
    const ikm = Buffer.from(hkdfSync("sha256", shared, this.auth, keyInfo, 32));
    const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
    const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
    const d = createDecipheriv("aes-128-gcm", cek, nonce);
    d.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
    // The data, then the last record's delimiter 0x02, then zero padding.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0 || plain[end] !== 2) throw new Error("aes128gcm: no last-record delimiter");
    return plain.subarray(0, end).toString("utf8");
  }
}

/** verifyVAPID checks "vapid t=<JWT>, k=<key>": the key is vapidKey and the ES256 JWT verifies with it, for the endpoint's origin. */
export function verifyVAPID(authorization: string, vapidKey: string, endpoint: string) {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(
    authorization,
  );
  if (!m) throw new Error(`authorization ${authorization}`);
  const [jwt, k] = [m[1], m[2]];
  if (k !== vapidKey) throw new Error(`k=${k}, want the server's VAPID key ${vapidKey}`);
  const [h, c, s] = jwt.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  if (header.alg !== "ES256") throw new Error(`JWT header ${JSON.stringify(header)}`);
  const claims = JSON.parse(Buffer.from(c, "base64url").toString());
  const now = Date.now() / 1000;
  if (
    claims.aud !== new URL(endpoint).origin ||
    !(claims.exp > now && claims.exp <= now + 24 * 3600) ||
    !claims.sub
  ) {
    throw new Error(`JWT claims ${JSON.stringify(claims)}`);
  }
  const pt = Buffer.from(vapidKey, "base64url");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: pt.subarray(1, 33).toString("base64url"),
      y: pt.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const sig = Buffer.from(s, "base64url");
  if (
    sig.length !== 64 ||
    !verify("sha256", Buffer.from(`${h}.${c}`), { key, dsaEncoding: "ieee-p1363" }, sig)
  ) {
    throw new Error("the VAPID signature does not verify with the server's key");
  }
}

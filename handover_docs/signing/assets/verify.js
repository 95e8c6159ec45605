/* handover-docs: in-browser check of a signed handover site.
 *
 * Verifies the DSSE envelope in handover-signature.json with WebCrypto Ed25519
 * (Chromium >= 137, Firefox >= 129, Safari >= 17) or ECDSA P-256 / SHA-256 (every
 * current browser; the DER signature becomes WebCrypto's raw r||s) against the key shipped in the
 * site, then fetches every signed file as served and compares its SHA-256.
 * A key shipped in the site proves nothing by itself: the result is trusted only
 * when the key id equals one pinned out of band (typed in, or ?key-id=... in the URL).
 *
 * The pure functions are exported as globalThis.HandoverVerify so they can be
 * tested outside a browser (the tests run them under Node).
 */
(function (root) {
  "use strict";

  var SIGNATURE_FILE = "handover-signature.json";
  var KEY_FILE = "handover-signing-key.pub";
  var PAYLOAD_TYPE = "application/vnd.in-toto+json";
  var STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  var PREDICATE_TYPE = "https://handover-docs.dev/signed-site/v1";
  var CONCURRENCY = 6;

  /* Standard or URL-safe base64, padding optional (as DSSE requires). */
  function b64decode(text) {
    if (typeof text !== "string" ||
        !(/^[A-Za-z0-9+/]*={0,2}$/.test(text) || /^[A-Za-z0-9_-]*={0,2}$/.test(text))) {
      throw new Error("not base64");
    }
    var s = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    if (s.length % 4 === 1) throw new Error("malformed base64 length");
    s += "===".slice(0, (4 - (s.length % 4)) % 4);
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function concat(parts) {
    var n = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  /* DSSEv1 pre-authentication encoding; lengths are byte counts. */
  function pae(payloadType, payload) {
    var enc = new TextEncoder();
    var type = enc.encode(payloadType);
    return concat([
      enc.encode("DSSEv1 " + type.length + " "), type,
      enc.encode(" " + payload.length + " "), payload,
    ]);
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  async function sha256Hex(bytes) {
    return hex(await crypto.subtle.digest("SHA-256", bytes));
  }

  /* A PEM public key (SubjectPublicKeyInfo) to its DER bytes. */
  function pemToDer(pem) {
    var m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
    if (!m) throw new Error("not a PEM public key");
    return b64decode(m[1].replace(/\s+/g, ""));
  }

  async function keyIdOf(der) {
    return "sha256:" + (await sha256Hex(der));
  }

  /* The SPKI's algorithm: Ed25519, or ECDSA on P-256 (id-ecPublicKey + prime256v1). */
  var ED25519_SPKI = "302a300506032b6570032100";
  var P256_OIDS = "06072a8648ce3d020106082a8648ce3d030107";
  function keyAlgorithm(der) {
    var h = hex(der);
    if (h.indexOf(ED25519_SPKI) === 0 && der.length === 44) {
      return { name: "ed25519", importAs: { name: "Ed25519" }, verifyAs: { name: "Ed25519" } };
    }
    if (h.indexOf(P256_OIDS) !== -1 && der.length === 91) {
      return { name: "ecdsa-p256", importAs: { name: "ECDSA", namedCurve: "P-256" },
               verifyAs: { name: "ECDSA", hash: "SHA-256" } };
    }
    throw new Error("the key is neither Ed25519 nor ECDSA P-256");
  }

  /* An ECDSA signature in DER (SEQUENCE of two INTEGERs, as the signer writes it) to
   * the fixed-size r||s that WebCrypto verifies; null when it is not strict DER. */
  function derToRaw(sig, size) {
    if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return null;
    var out = new Uint8Array(2 * size);
    var at = 2;
    for (var part = 0; part < 2; part++) {
      if (sig[at] !== 0x02) return null;
      var len = sig[at + 1];
      var body = sig.subarray(at + 2, at + 2 + len);
      if (len < 1 || body.length !== len || body[0] & 0x80) return null;
      if (len > 1 && body[0] === 0 && !(body[1] & 0x80)) return null;
      if (body[0] === 0) body = body.subarray(1);
      if (body.length > size) return null;
      out.set(body, (part + 1) * size - body.length);
      at += 2 + len;
    }
    return at === sig.length ? out : null;
  }

  /* Verify an envelope (text of handover-signature.json) with a PEM key.
   * Returns {ok, keyId, payloadType, statement, statementDigest, error}. */
  async function verifyEnvelope(envelopeText, pemText) {
    var result = { ok: false, keyId: null, algorithm: null, payloadType: null, statement: null,
                   statementDigest: null, error: "" };
    var env;
    try {
      env = JSON.parse(envelopeText);
    } catch (e) {
      result.error = "the signature file is not JSON";
      return result;
    }
    if (!env || typeof env.payload !== "string" || typeof env.payloadType !== "string" ||
        !Array.isArray(env.signatures) || env.signatures.length === 0) {
      result.error = "the signature file is not a DSSE envelope";
      return result;
    }
    result.payloadType = env.payloadType;
    var der = pemToDer(pemText);
    result.keyId = await keyIdOf(der);
    var alg = keyAlgorithm(der);
    result.algorithm = alg.name;
    var key = await crypto.subtle.importKey("spki", der, alg.importAs, false, ["verify"]);
    var payload = b64decode(env.payload);
    var message = pae(env.payloadType, payload);
    var verified = false;
    for (var i = 0; i < env.signatures.length && !verified; i++) {
      var sig = b64decode(env.signatures[i].sig);
      if (alg.name === "ecdsa-p256") sig = derToRaw(sig, 32);
      if (sig) verified = await crypto.subtle.verify(alg.verifyAs, key, sig, message);
    }
    if (!verified) {
      result.error = "the signature does not verify under the site's key";
      return result;
    }
    if (env.payloadType !== PAYLOAD_TYPE) {
      result.error = "unexpected payloadType " + env.payloadType;
      return result;
    }
    var statement = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
    if (statement._type !== STATEMENT_TYPE || statement.predicateType !== PREDICATE_TYPE) {
      result.error = "not a handover-docs site statement";
      return result;
    }
    result.statement = statement;
    result.statementDigest = await sha256Hex(payload);
    result.ok = true;
    return result;
  }

  function unsafePath(name) {
    return typeof name !== "string" || name === "" || name.indexOf("\\") >= 0 ||
      name.charAt(0) === "/" || /[\u0000-\u001f\u007f]/.test(name) ||
      name.split("/").some(function (p) { return p === "" || p === "." || p === ".."; });
  }

  function encodePath(name) {
    return name.split("/").map(function (seg) {
      // Same as Python's quote(seg, safe="!$&'()*+,;=:@-._~").
      return encodeURIComponent(seg).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, function (m) {
        return decodeURIComponent(m);
      });
    }).join("/");
  }

  /* The URL a browser uses for a site file: directory URLs for index.html. */
  function pageUrl(base, name) {
    if (name === "index.html") return base;
    if (name.slice(-11) === "/index.html") return base + encodePath(name.slice(0, -11)) + "/";
    return base + encodePath(name);
  }

  /* Fetch every subject (bounded concurrency, no cache) and compare digests.
   * Returns [{name, status: "ok"|"modified"|"missing"|"larger"|"error", detail}]. */
  async function checkSubjects(base, subjects, fetchFn, concurrency, onProgress) {
    fetchFn = fetchFn || fetch;
    var results = new Array(subjects.length);
    var next = 0;
    var done = 0;
    async function worker() {
      while (next < subjects.length) {
        var i = next++;
        var s = subjects[i];
        var name = s.name;
        if (unsafePath(name)) {
          results[i] = { name: String(name), status: "error", detail: "unsafe path" };
          continue;
        }
        try {
          var response = await fetchFn(pageUrl(base, name), { cache: "no-store" });
          if (response.status === 404 && name.slice(-10) === "index.html") {
            response = await fetchFn(base + encodePath(name), { cache: "no-store" });
          }
          if (response.status === 404 || response.status === 410) {
            results[i] = { name: name, status: "missing", detail: "HTTP " + response.status };
            continue;
          }
          if (!response.ok) {
            results[i] = { name: name, status: "error", detail: "HTTP " + response.status };
            continue;
          }
          var body = new Uint8Array(await response.arrayBuffer());
          var size = s.annotations && s.annotations.size;
          if (typeof size === "number" && body.length > size) {
            results[i] = { name: name, status: "larger",
                           detail: body.length + " bytes served, " + size + " signed" };
            continue;
          }
          var digest = await sha256Hex(body);
          results[i] = digest === s.digest.sha256
            ? { name: name, status: "ok", detail: "" }
            : { name: name, status: "modified", detail: "sha256 differs" };
        } catch (e) {
          results[i] = { name: name, status: "error", detail: String(e && e.message || e) };
        }
        done++;
        if (onProgress) onProgress(done, subjects.length);
      }
    }
    var workers = [];
    for (var w = 0; w < (concurrency || CONCURRENCY); w++) workers.push(worker());
    await Promise.all(workers);
    return results;
  }

  /* Walk earlier releases kept in the site: each statement's digest must equal the one
   * its successor names. Returns [{release, sequence, buildTime, commit, status}]. */
  async function walkChain(base, statement, fetchFn, limit) {
    fetchFn = fetchFn || fetch;
    var links = [];
    var prev = statement.predicate.previous;
    for (var n = 0; prev && n < (limit || 1000); n++) {
      var link = { release: prev.release, sequence: prev.sequence, buildTime: "", commit: "",
                   status: "" };
      links.push(link);
      if (!prev.path || unsafePath(prev.path)) {
        link.status = "not kept in this site";
        break;
      }
      try {
        var response = await fetchFn(base + encodePath(prev.path), { cache: "no-store" });
        if (!response.ok) {
          link.status = "unavailable (HTTP " + response.status + ")";
          break;
        }
        var env = JSON.parse(await response.text());
        var payload = b64decode(env.payload);
        if ((await sha256Hex(payload)) !== prev.statementDigest.sha256) {
          link.status = "statement digest does not match";
          break;
        }
        var earlier = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
        link.buildTime = earlier.predicate.buildTime;
        link.commit = earlier.predicate.source && earlier.predicate.source.commit || "";
        link.status = "linked";
        prev = earlier.predicate.previous;
      } catch (e) {
        link.status = "unreadable: " + (e && e.message || e);
        break;
      }
    }
    return links;
  }

  /* --- the audit page's user interface -------------------------------------------------- */

  function text(el, value) {
    el.textContent = value == null ? "" : String(value);
  }

  /* A signed time as a Date, or null unless it is a real YYYY-MM-DDTHH:MM:SSZ moment
   * (2026-02-30 and month 13 are refused, as the CLI refuses them). */
  function realTime(value) {
    if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) return null;
    var d = new Date(value);
    if (isNaN(d.getTime()) || d.toISOString().slice(0, 19) + "Z" !== value) return null;
    return d;
  }

  var TIME_MEANINGS = {
    source: "when the sources last changed (SOURCE_DATE_EPOCH, else the last commit)",
    signed: "when this signature was made",
    evidence: "when the checks in the signed evidence record last ran",
  };
  var NOT_RECORDED = {
    source: "unknown (no SOURCE_DATE_EPOCH and no git history)",
    signed: "not recorded (a reproducible build: no explicit signing time was given)",
    evidence: "not recorded (no evidence record was signed)",
  };

  /* The statement's times as [label, text] rows, each with what it means. A statement from
   * before the three times carries only buildTime, shown as such. */
  function timeRows(predicate) {
    var times = predicate.times;
    if (!times || typeof times !== "object") {
      return [["Built", predicate.buildTime + " (an older signature: the source time, or the " +
        "signing time when no SOURCE_DATE_EPOCH was set)"]];
    }
    var rows = [];
    [["source", "Source time"], ["signed", "Signed at"], ["evidence", "Evidence time"]]
      .forEach(function (pair) {
        var value = times[pair[0]];
        if (pair[0] === "evidence" && !predicate.evidenceDigest) return;
        rows.push([pair[1], value ? value + " (" + TIME_MEANINGS[pair[0]] + ")"
          : NOT_RECORDED[pair[0]]]);
      });
    return rows;
  }

  function row(table, label, value) {
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    var td = document.createElement("td");
    text(th, label);
    text(td, value);
    tr.appendChild(th);
    tr.appendChild(td);
    table.appendChild(tr);
  }

  async function fetchText(url) {
    var response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.text();
  }

  async function runAuditPage(el) {
    var base = new URL(el.getAttribute("data-site-root") || "./", document.baseURI).href;
    var status = el.querySelector("[data-handover=status]");
    var facts = el.querySelector("[data-handover=facts]");
    var files = el.querySelector("[data-handover=files]");
    var pinInput = el.querySelector("[data-handover=pin]");
    var button = el.querySelector("[data-handover=run]");
    var progress = el.querySelector("[data-handover=progress]");
    var fromUrl = new URLSearchParams(location.search).get("key-id");
    if (fromUrl && pinInput) pinInput.value = fromUrl;
    if (!(root.crypto && crypto.subtle)) {
      text(status, "This browser offers no WebCrypto here (a secure context is needed): " +
        "use 'handover verify' instead.");
      return;
    }
    function say(state, message) {
      // The state styles the line (handover.css): checking, verified or failed.
      status.setAttribute("data-state", state);
      text(status, message);
    }
    async function run() {
      say("checking", "Checking the signature...");
      while (facts.firstChild) facts.removeChild(facts.firstChild);
      while (files.firstChild) files.removeChild(files.firstChild);
      try {
        var probe = await fetch(base + SIGNATURE_FILE, { cache: "no-store" });
        if (probe.status === 404) {
          say("failed", "NOT SIGNED: this site has no " + SIGNATURE_FILE +
            "; it was built without a signing key, so nothing here can be verified.");
          return;
        }
        if (!probe.ok) throw new Error(base + SIGNATURE_FILE + ": HTTP " + probe.status);
        var envelopeText = await probe.text();
        var pem = await fetchText(base + KEY_FILE);
        var result = await verifyEnvelope(envelopeText, pem);
        if (!result.ok) {
          say("failed", "FAILED: " + result.error);
          return;
        }
        var p = result.statement.predicate;
        row(facts, "Signer key id (shipped in the site)", result.keyId);
        row(facts, "Release", p.release + " (sequence " + p.sequence + ")");
        timeRows(p).forEach(function (r) { row(facts, r[0], r[1]); });
        if (p.expires) row(facts, "Expires", p.expires);
        row(facts, "Site URL", p.siteUrl || "(not named)");
        row(facts, "Source commit", (p.source && p.source.commit || "unknown") +
          (p.source && p.source.dirty ? " (uncommitted changes)" : ""));
        if (p.manifestDigest) row(facts, "Manifest digest", "sha256:" + p.manifestDigest.sha256);
        if (p.evidenceDigest) row(facts, "Evidence digest", "sha256:" + p.evidenceDigest.sha256);
        row(facts, "Statement digest", "sha256:" + result.statementDigest);
        if (p.previous) {
          row(facts, "Previous release", p.previous.release + " (sequence " +
            p.previous.sequence + ", statement sha256:" + p.previous.statementDigest.sha256 + ")");
        }
        if (p.expires && !realTime(p.expires)) {
          say("failed", "FAILED: the signed expiry is not a real time: " + String(p.expires));
          return;
        }
        if (p.expires && realTime(p.expires) < new Date()) {
          say("failed", "FAILED: the signature expired at " + p.expires);
          return;
        }
        var chain = await walkChain(base, result.statement);
        chain.forEach(function (link) {
          row(facts, "Earlier release " + link.release, "sequence " + link.sequence +
            (link.buildTime ? ", built " + link.buildTime : "") +
            (link.commit ? ", commit " + link.commit : "") + ": " + link.status);
        });
        say("checking", "Signature verified; checking " + result.statement.subject.length +
          " files as served...");
        if (progress) {
          progress.max = result.statement.subject.length;
          progress.value = 0;
          progress.hidden = false;
        }
        var checked = await checkSubjects(base, result.statement.subject, null, null,
          function (done, total) {
            if (progress) progress.value = done;
            text(status, "Signature verified; checking files as served: " + done + " of " +
              total + "...");
          });
        if (progress) progress.hidden = true;
        var bad = checked.filter(function (r) { return r.status !== "ok"; });
        bad.forEach(function (r) {
          var li = document.createElement("li");
          text(li, r.status + ": " + r.name + (r.detail ? " (" + r.detail + ")" : ""));
          files.appendChild(li);
        });
        // The reason comes first; only a pinned, matching key with every file intact is
        // "verified" (green); no pin is "not trusted yet" (never green); anything else fails.
        var pinned = pinInput && pinInput.value.trim().toLowerCase();
        var n = checked.length;
        var good = n - bad.length;
        if (bad.length > 0) {
          say("failed", "FAILED: " + bad.length + " of " + n + " files do not match the " +
            "signature (listed below); " + good + " of " + n + " files match." +
            (!pinned ? " No key id is pinned."
              : pinned === result.keyId ? " The key id matches the one you pinned."
              : " The key id does NOT match the one you pinned (" + pinned + ")."));
        } else if (pinned && pinned !== result.keyId) {
          say("failed", "FAILED: the key id does NOT match the one you pinned (" + pinned +
            "). The " + n + " files match the key shipped in the site, which proves " +
            "nothing about who signed it.");
        } else if (!pinned) {
          say("untrusted", "NOT TRUSTED YET: " + good + " of " + n + " files match the " +
            "signature, but no key id is pinned. Enter the signer's key id, obtained out " +
            "of band, to establish who signed.");
        } else {
          say("verified", "VERIFIED: " + good + " of " + n + " files match the signature." +
            " The key id matches the one you pinned.");
        }
      } catch (e) {
        say("failed", "FAILED: " + (e && e.message || e));
      }
    }
    if (button) button.addEventListener("click", run);
    if (pinInput) {
      pinInput.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          run();
        }
      });
    }
    run();
  }

  root.HandoverVerify = {
    SIGNATURE_FILE: SIGNATURE_FILE,
    KEY_FILE: KEY_FILE,
    PAYLOAD_TYPE: PAYLOAD_TYPE,
    b64decode: b64decode,
    pae: pae,
    pemToDer: pemToDer,
    keyIdOf: keyIdOf,
    keyAlgorithm: keyAlgorithm,
    derToRaw: derToRaw,
    verifyEnvelope: verifyEnvelope,
    pageUrl: pageUrl,
    checkSubjects: checkSubjects,
    walkChain: walkChain,
    realTime: realTime,
    timeRows: timeRows,
    runAuditPage: runAuditPage,
  };

  if (typeof document !== "undefined") {
    var start = function () {
      var el = document.getElementById("handover-verify");
      if (el) runAuditPage(el);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(globalThis);

// The offline certificate verifier: Base45, inflate, CBOR, COSE_Sign1 and Ed25519 in the
// browser, with the public keys embedded in the page (#keys). No network is used.
(function () {
  "use strict";
  var B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function b45decode(s) {
    var out = [];
    for (var i = 0; i < s.length; i += 3) {
      var chunk = s.slice(i, i + 3), n = 0, f = 1;
      for (var j = 0; j < chunk.length; j++) {
        var v = B45.indexOf(chunk[j]);
        if (v < 0) { throw new Error("no es Base45"); }
        n += v * f; f *= 45;
      }
      if (chunk.length === 3) {
        if (n > 65535) { throw new Error("no es Base45"); }
        out.push(n >> 8, n & 255);
      } else if (chunk.length === 2) {
        if (n > 255) { throw new Error("no es Base45"); }
        out.push(n);
      } else { throw new Error("no es Base45"); }
    }
    return new Uint8Array(out);
  }
  async function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  function cbor(bytes) {
    var pos = 0;
    function byte() { if (pos >= bytes.length) { throw new Error("CBOR truncado"); } return bytes[pos++]; }
    function arg(info) {
      if (info < 24) { return info; }
      var len = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
      if (!len) { throw new Error("CBOR no admitido"); }
      var n = 0;
      for (var i = 0; i < len; i++) { n = n * 256 + byte(); }
      return n;
    }
    function item(depth) {
      if (depth > 8) { throw new Error("CBOR demasiado anidado"); }
      var first = byte(), major = first >> 5, info = first & 31;
      if (major === 7) {
        if (info === 20) { return false; }
        if (info === 21) { return true; }
        if (info === 22) { return null; }
        throw new Error("CBOR no admitido");
      }
      var n = arg(info);
      if (major === 0) { return n; }
      if (major === 1) { return -1 - n; }
      if (major === 2 || major === 3) {
        if (pos + n > bytes.length) { throw new Error("CBOR truncado"); }
        var raw = bytes.slice(pos, pos + n); pos += n;
        return major === 2 ? raw : new TextDecoder("utf-8", { fatal: true }).decode(raw);
      }
      if (major === 4) { var a = []; for (var i = 0; i < n; i++) { a.push(item(depth + 1)); } return a; }
      if (major === 5) {
        var m = new Map();
        for (var k = 0; k < n; k++) { var key = item(depth + 1); m.set(key, item(depth + 1)); }
        return m;
      }
      return { tag: n, value: item(depth + 1) };
    }
    var value = item(0);
    if (pos !== bytes.length) { throw new Error("bytes de más"); }
    return value;
  }
  function head(major, n) {
    if (n < 24) { return [(major << 5) | n]; }
    if (n < 256) { return [(major << 5) | 24, n]; }
    return [(major << 5) | 25, n >> 8, n & 255];
  }
  function bstr(b) { return head(2, b.length).concat(Array.from(b)); }
  function sigStructure(protectedBytes, payload) {
    var label = new TextEncoder().encode("Signature1");
    var out = [0x84].concat(head(3, label.length), Array.from(label), bstr(protectedBytes), [0x40], bstr(payload));
    return new Uint8Array(out);
  }
  function hex(b) { return Array.from(b).map(function (x) { return x.toString(16).padStart(2, "0"); }).join(""); }
  function unb64(s) { return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); }); }

  async function verify(text) {
    text = text.replace(/[\r\n\t]/g, "").replace(/^\s+/, "");
    if (text.slice(0, 4).toUpperCase() !== "AC1:") { throw new Error("un certificado empieza con AC1:"); }
    var raw = b45decode(text.slice(4).toUpperCase());
    if (raw[0] === 0x78) { raw = await inflate(raw); }
    var msg = cbor(raw);
    if (!msg || msg.tag !== 18 || !Array.isArray(msg.value) || msg.value.length !== 4) { throw new Error("no es un COSE_Sign1"); }
    var prot = msg.value[0], payload = msg.value[2], signature = msg.value[3];
    if (!(prot instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) { throw new Error("no es un COSE_Sign1"); }
    var header = cbor(prot);
    if (!(header instanceof Map) || header.get(1) !== -8) { throw new Error("no está firmado con Ed25519"); }
    var kid = header.get(4);
    var keys = JSON.parse(document.getElementById("keys").textContent);
    var key = kid instanceof Uint8Array ? keys.find(function (k) { return k.kid === hex(kid); }) : undefined;
    if (!key) { throw new Error("no lo firmó ninguna de las claves de esta página"); }
    var pub = await crypto.subtle.importKey("raw", unb64(key.pub), { name: "Ed25519" }, false, ["verify"]);
    var ok = await crypto.subtle.verify({ name: "Ed25519" }, pub, signature, sigStructure(prot, payload));
    if (!ok) { throw new Error("la firma no corresponde: fue alterado"); }
    var claims = cbor(payload);
    if (!(claims instanceof Map)) { throw new Error("el contenido no es válido"); }
    return claims;
  }

  function set(id, value) { document.getElementById(id).textContent = value; }
  function when(seconds) { return new Date(seconds * 1000).toLocaleString(); }
  function show(claims) {
    var flags = claims.get(8) || 0;
    set("serial", claims.get(1)); set("vin", claims.get(2)); set("plate", claims.get(3));
    set("vehicle", [claims.get(4), claims.get(5), claims.get(6) || "", claims.get(7)].join(" ").trim());
    set("stolen", flags & 1 ? "SÍ: tiene una denuncia de robo activa" : "No");
    set("retired", flags & 2 ? "SÍ: desincorporado (chatarra, desguace o exportación)" : "No");
    set("consistent", flags & 4 ? "Sí" : "NO confirmados");
    set("clone", flags & 16 ? (flags & 8 ? "SÍ" : "No") : "No consultadas");
    set("issued", when(claims.get(9))); set("expires", when(claims.get(10)));
    var expired = claims.get(10) * 1000 <= Date.now();
    document.getElementById("expired").hidden = !expired;
    var sound = !(flags & 1) && !(flags & 2) && (flags & 4) && !(flags & 8);
    set("verdict", expired ? "VENCIDO: pida un certificado nuevo" : (sound ? "Nada registrado en contra de la compra" : "NO compre sin asesoría"));
  }
  document.getElementById("verify").addEventListener("click", async function () {
    var result = document.getElementById("result");
    result.hidden = false;
    try {
      show(await verify(document.getElementById("text").value));
      result.setAttribute("data-valid", "true");
      set("status", "Firma válida");
      set("reason", "");
    } catch (error) {
      result.setAttribute("data-valid", "false");
      set("status", "Firma inválida");
      set("reason", error.message);
    }
  });
})();

// Node's basic-ftp against Ferry: refused RETR, STOR and LIST, each with the passive data
// connection already open (basic-ftp opens it before it sends the command), must leave the session
// usable. Before, Ferry reset that connection before its 550/553 and basic-ftp ended the session
// with "ECONNRESET (data socket)".
//
//   NODE_PATH=DIR/node_modules node it/basic-ftp-refusals.cjs PORT USER PASSWORD   (basic-ftp 6.2.6 in DIR)
"use strict";
const { Client } = require("basic-ftp");
const { Readable, Writable } = require("node:stream");

const [port, user, password] = process.argv.slice(2);
const client = new Client(30_000);
const sink = () => new Writable({ write(chunk, encoding, done) { done(); } });

async function refused(what, code, action) {
  try {
    await action();
  } catch (error) {
    if (error.code === code) {
      console.log(`${what}: refused with ${code} as expected`);
      return;
    }
    throw new Error(`${what}: expected ${code}, got ${error.code ?? ""} ${error.message}`);
  }
  throw new Error(`${what}: expected ${code}, it succeeded`);
}

async function main() {
  await client.access({
    host: "127.0.0.1", port: Number(port), user, password, secure: true,
    secureOptions: { rejectUnauthorized: false },
  });
  await client.ensureDir("/basic-ftp");
  await refused("RETR of a missing file", 550, () => client.downloadTo(sink(), "/basic-ftp/missing.bin"));
  await refused("STOR above the home", 553, () => client.uploadFrom(Readable.from([Buffer.from("x")]), "/../x"));
  await refused("LIST of a missing directory", 550, () => client.list("/basic-ftp/no/such/dir"));
  const data = Buffer.alloc(100_000, 7);
  await client.uploadFrom(Readable.from([data]), "/basic-ftp/after.bin");
  const names = (await client.list("/basic-ftp")).map(entry => entry.name);
  if (!names.includes("after.bin")) {
    throw new Error(`after the refusals the upload is not listed: ${names}`);
  }
  await client.removeDir("/basic-ftp");
  console.log("the session went on: upload, listing and removal after the refusals");
}

main().then(() => client.close(), error => {
  client.close();
  console.error(`failed: ${error.message}`);
  process.exit(1);
});

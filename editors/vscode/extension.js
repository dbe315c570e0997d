// VS Code client of the .conv language server: starts `convcheck lsp` and hands it .conv files.
// Highlighting comes from syntaxes/conv.tmLanguage.json (a copy of grammar/conv.tmLanguage.json).
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("convcheck").get("commande") || "convcheck";
  const serverOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "conv" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.conv") },
  };
  client = new LanguageClient("convcheck", "convcheck (.conv)", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

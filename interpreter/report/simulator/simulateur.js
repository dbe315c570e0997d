// The simulator's page script (convcheck simulateur): builds the form from the engines' descriptions of the
// données, recomputes every shown version on each change, folds away the fields that cannot change an amount
// with the current answers, keeps the answers in the URL fragment, imports and exports declarations.
// The engines (moteurs/*.js) compute; this script only asks them and shows what they say.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("configuration").textContent);
  const loaded = globalThis.convcheckMoteurs || [];
  const versions = Object.create(null);
  config.versions.forEach((v, i) => { versions[v.slug] = Object.assign({ moteur: loaded[i] }, v); });
  const SECTIONS = { prerequis: "Prérequis", socle: "Socle", options: "Options" };
  const TRUE = ["vrai", "true", "oui", "yes", "1"];
  const $ = (id) => document.getElementById(id);
  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const table = () => Object.create(null);
  const state = { shown: config.affichees.slice(), answers: table(), structure: null, extra: table() };

  // ---- answers ---------------------------------------------------------------------------------------------

  function referenceAnswers(shown) {
    const answers = table();
    for (const slug of shown.slice().reverse()) Object.assign(answers, versions[slug].reference);
    return answers;
  }

  function donneesOf(slug) {
    const moteur = versions[slug].moteur;
    return moteur.donnees.filter((d) => !moteur.calculees.includes(d.id));
  }

  function declarationFor(slug) {
    const declaration = table();
    declaration.id = state.structure || (versions[state.shown[0]].cas || { id: "structure" }).id;
    for (const d of donneesOf(slug)) {
      const value = state.answers[d.id];
      if (value !== undefined && value !== "") declaration[d.id] = value;
    }
    return declaration;
  }

  // ---- the URL fragment ------------------------------------------------------------------------------------

  let pending = null;

  /** The answers in the URL, a moment after the last change (the browser is slow to rewrite its address). */
  function laterFragment() {
    if (pending !== null) clearTimeout(pending);
    pending = setTimeout(writeFragment, 250);
  }

  function writeFragment() {
    if (pending !== null) clearTimeout(pending);
    pending = null;
    const params = new URLSearchParams();
    params.set("Versions", state.shown.join(","));
    if (state.structure) params.set("Structure", state.structure);
    for (const [id, value] of Object.entries(state.answers)) {
      params.set(id, value === true ? "vrai" : value === false ? "faux" : value);
    }
    history.replaceState(null, "", "#" + params.toString());
  }

  function readFragment() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    const shown = (params.get("Versions") || "").split(",").filter((s) => own(versions, s));
    if (shown.length) state.shown = shown;
    state.answers = referenceAnswers(state.shown);
    if (params.get("Structure")) state.structure = params.get("Structure");
    const kinds = table();
    for (const slug in versions) for (const d of versions[slug].moteur.donnees) kinds[d.id] = d.type;
    for (const [key, value] of params) {
      if (!own(kinds, key)) continue;
      state.answers[key] = kinds[key] === "booleen" ? TRUE.includes(value.trim().toLowerCase()) : value;
    }
  }

  // ---- the form --------------------------------------------------------------------------------------------

  function bounds(d) {
    const unit = d.unite ? " " + d.unite : "";
    const parts = [];
    if (d.type === "entier") parts.push("nombre entier");
    if (d.min !== null && d.max !== null) parts.push(`entre ${d.min}${unit} et ${d.max}${unit}`);
    else if (d.unite === "%") parts.push("en pour cent");
    else if (d.unite === "€") parts.push("en euros");
    return parts.join(", ");
  }

  function field(d) {
    const id = "f-" + d.id, help = "a-" + d.id, error = "e-" + d.id;
    const label = `${esc(d.libelle || d.id)} <code>${esc(d.id)}</code>`;
    const described = `aria-describedby="${help} ${error}"`;
    let control;
    if (d.type === "booleen") {
      const said = d.defaut === null ? "" : `par défaut : ${d.defaut ? "coché" : "non coché"}`;
      return `<div class="champ case" data-id="${esc(d.id)}"><input type="checkbox" id="${id}" name="${esc(d.id)}" ` +
        `${described}><label for="${id}">${label}</label><span class="aide" id="${help}">${esc(said)}</span>` +
        `<span class="erreur" id="${error}"></span></div>`;
    }
    const byDefault = d.defaut === null ? "" : `par défaut : ${d.defaut === true ? "oui" : d.defaut === false ? "non" : d.defaut}`;
    if (d.type === "choix") {
      control = `<select id="${id}" name="${esc(d.id)}" ${described}><option value="">${esc(byDefault || "—")}</option>` +
        d.choix.map((c) => `<option value="${esc(c)}">${esc(c.replace(/_/g, " "))}</option>`).join("") + "</select>";
    } else if (d.type === "date") {
      control = `<input type="date" id="${id}" name="${esc(d.id)}" ${described}>`;
    } else {
      control = `<span class="saisie"><input type="text" inputmode="decimal" autocomplete="off" id="${id}" ` +
        `name="${esc(d.id)}" ${byDefault ? `placeholder="${esc(d.defaut)}" ` : ""}${described}>` +
        `${d.unite ? `<span class="unite" aria-hidden="true">${esc(d.unite)}</span>` : ""}</span>`;
    }
    const help_ = [bounds(d), byDefault ? byDefault + (d.unite ? " " + d.unite : "") + " si le champ est vide" : ""];
    return `<div class="champ" data-id="${esc(d.id)}"><label for="${id}">${label}</label>${control}` +
      `<span class="aide" id="${help}">${esc(help_.filter(Boolean).join(" ; "))}</span>` +
      `<span class="erreur" id="${error}"></span></div>`;
  }

  /** Fieldsets: each donnée under the first line (in the order of a result) that reads it, line after line of
   * the first version shown, then those only the other versions have. */
  function buildForm() {
    const seen = new Set(), parts = [];
    state.shown.forEach((slug, index) => {
      const moteur = versions[slug].moteur;
      const descriptions = table();
      for (const d of donneesOf(slug)) descriptions[d.id] = d;
      const groups = [];
      for (const line of moteur.lignes) {
        const ids = [...line.lit.condition, ...line.lit.montant].filter((id) => own(descriptions, id) && !seen.has(id));
        const unique = [...new Set(ids)];
        unique.forEach((id) => seen.add(id));
        if (unique.length) groups.push({ line, ids: unique });
      }
      const rest = Object.keys(descriptions).filter((id) => !seen.has(id));
      rest.forEach((id) => seen.add(id));
      if (rest.length) groups.push({ line: null, ids: rest });
      if (!groups.length) return;
      if (index > 0) parts.push(`<h3 class="autre-version">Données propres à « ${esc(versions[slug].nom)} »</h3>`);
      let heading = null;
      for (const { line, ids } of groups) {
        const title = line === null ? "Autres données" : line.section ? SECTIONS[line.section]
          : line.sorte === "brique" || line.brique ? "Briques" : "Majorations et minimums";
        if (title !== heading) {
          parts.push(`<h3>${esc(title)}</h3>`);
          heading = title;
        }
        const legend = line === null ? "Lues par aucune ligne" : (line.libelle || line.id);
        parts.push(`<fieldset class="groupe" data-ligne="${esc(line ? line.id : "")}"><legend>${esc(legend)}</legend>` +
          `<div class="pertinents">${ids.map((id) => field(descriptions[id])).join("")}</div>` +
          `<details class="sans-effet" hidden><summary></summary><div class="replies"></div></details></fieldset>`);
      }
    });
    $("champs").innerHTML = parts.join("");
    marked = new Map();
    fillForm();
  }

  function fillForm() {
    const defaults = table();
    for (const slug of state.shown) for (const d of donneesOf(slug)) if (d.defaut !== null) defaults[d.id] = d.defaut;
    for (const element of $("champs").querySelectorAll("input, select")) {
      const value = state.answers[element.name];
      // a box not answered shows the default the engines take
      if (element.type === "checkbox") element.checked = value === undefined ? defaults[element.name] === true : value === true;
      else element.value = value === undefined || value === true || value === false ? (value === undefined ? "" : String(value)) : value;
    }
  }

  function readField(element) {
    if (element.type === "checkbox") state.answers[element.name] = element.checked;
    else state.answers[element.name] = element.value;
  }

  /** Fields that cannot change an amount with these answers go into their group's folded part. */
  function fold(relevant) {
    const active = document.activeElement;
    for (const group of $("champs").querySelectorAll("fieldset.groupe")) {
      const main = group.querySelector(".pertinents"), folded = group.querySelector(".replies");
      for (const champ of [...group.querySelectorAll(".champ")]) {
        const target = relevant === null || relevant.has(champ.dataset.id) ? main : folded;
        if (champ.parentNode !== target) target.appendChild(champ);
      }
      const count = folded.children.length;
      const details = group.querySelector(".sans-effet"), words = count === 1
        ? "1 champ sans effet avec ces réponses" : `${count} champs sans effet avec ces réponses`;
      if (details.hidden !== (count === 0)) details.hidden = count === 0;
      if (details.firstChild.textContent !== words) details.firstChild.textContent = words;
      group.classList.toggle("sans-effet-entier", main.children.length === 0);
    }
    if (active && active !== document.activeElement && document.contains(active)) active.focus();
  }

  // ---- results ---------------------------------------------------------------------------------------------

  function compute(slug) {
    const moteur = versions[slug].moteur, declaration = declarationFor(slug);
    try {
      const found = moteur.simuler(declaration);
      return { slug, resultat: found.resultat, gains: found.gains, pertinentes: new Set(found.pertinentes) };
    } catch (error) {
      if (!(error instanceof moteur.ErreurConvcheck)) throw error;
      return { slug, erreurs: error.diagnostics };
    }
  }

  function statusBadge(v) {
    return v.statutMots ? ` <span class="statut ${esc(v.statut || "")}">${esc(v.statutMots)}</span>` : "";
  }

  function lineLabel(result, id) {
    const all = [...result.criteres, ...result.briques, ...result.majorations, ...result.minimums];
    const found = all.find((line) => line.id === id);
    return found ? { libelle: found.libelle || found.id, explication: found.explication } : { libelle: id, explication: "" };
  }

  function sectionTitle(line) {
    return line.section ? SECTIONS[line.section] : line.sorte === "brique" || line.brique ? "Briques" : "Majorations et minimums";
  }

  /** The table of the lines, its rows empty: `updateRows` fills them, changing only what changed. */
  function linesTable(moteur) {
    const rows = [];
    let heading = null;
    for (const line of moteur.lignes) {
      const title = sectionTitle(line);
      if (title !== heading) {
        rows.push(`<tr class="titre"><th colspan="2" scope="colgroup">${esc(title)}</th></tr>`);
        heading = title;
      }
      rows.push(`<tr class="${line.brique ? "dans-brique" : ""}" data-ligne="${esc(line.id)}"><td><span class="marque"></span> ` +
        `${esc(line.libelle || line.id)}<span class="explication"></span></td><td class="nombre"></td></tr>`);
    }
    return `<table><thead><tr><th scope="col">Ligne</th><th scope="col" class="nombre">Montant</th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table>`;
  }

  const amounts = new Map();  // an amount as eval writes it → in French (the same few amounts come back often)

  function written(moteur, amount) {
    let text = amounts.get(amount);
    if (text === undefined) {
      if (amounts.size > 5000) amounts.clear();
      amounts.set(amount, text = moteur.montant(amount));
    }
    return text;
  }

  function updateRows(article, moteur, result) {
    const shown = table();
    for (const line of [...result.criteres, ...result.briques, ...result.majorations, ...result.minimums]) shown[line.id] = line;
    const known = article.rows || (article.rows = table());
    for (const row of article.querySelectorAll("tr[data-ligne]")) {
      const line = shown[row.dataset.ligne];
      const met = "atteint" in line ? line.atteint : "debloquee" in line ? line.debloquee : line.applicable;
      const paid = "paye" in line ? line.paye : line.payee;
      const amount = line.brique ? "" : written(moteur, line.montant);
      const key = `${met}|${paid}|${amount}|${line.explication}`;
      if (known[line.id] === key) continue;
      known[line.id] = key;
      row.classList.toggle("atteint", met);
      row.classList.toggle("non-atteint", !met);
      const mark = row.querySelector(".marque");
      mark.textContent = met ? "✓" : "✗";
      mark.setAttribute("aria-label", met ? "atteint" : "non atteint");
      row.querySelector(".explication").textContent = line.explication || "";
      const cell = row.cells[1];
      cell.textContent = amount;
      cell.classList.toggle("nul", !paid);
    }
  }

  function head(v) {
    return `<h3>${esc(v.nom)}${statusBadge(v)}</h3><p class="sous-titre">` +
      `${v.enVigueur ? `En vigueur le ${esc(v.enVigueur)} — ` : ""}<code>${esc(v.fichier)}</code></p>` +
      (v.hypotheses.length ? `<ul class="hypotheses">${v.hypotheses.map((h) => `<li>${esc(h)}</li>`).join("")}</ul>` : "");
  }

  /** What a version says of the answers, above its table: eligibility, total, what blocks, what it would take. */
  function summary(computed, first) {
    const v = versions[computed.slug], moteur = v.moteur;
    if (computed.erreurs) {
      const items = computed.erreurs.map((d) => `<li><strong>${esc(d.code)}</strong> : ${esc(d.message)}` +
        `${d.aide ? ` <span class="aide">(${esc(d.aide)})</span>` : ""}</li>`);
      return `<p class="verdict">Les réponses ne permettent pas le calcul :</p><ul class="problemes">${items.join("")}</ul>`;
    }
    const r = computed.resultat, g = computed.gains;
    let gap = "";
    if (first && first.resultat && first !== computed) {
      const cents = difference(r.total, first.resultat.total);
      const diff = (cents.startsWith("-") || cents === "0.00" ? "" : "+") + moteur.montant(cents);
      gap = `<p class="ecart">Écart avec « ${esc(versions[first.slug].nom)} » : <strong>${esc(diff)}</strong></p>`;
    }
    let blocking = "";
    if (!r.eligible) {
      const items = g.prerequis.map((id) => {
        const line = lineLabel(r, id);
        return `<li><strong>${esc(line.libelle)}</strong> — ${esc(line.explication)}</li>`;
      });
      blocking = `<section class="bloquants"><h4>Ce qui bloque le paiement</h4><ul>${items.join("")}</ul>` +
        (g.deblocage !== null ? `<p>Les atteindre débloquerait <strong>${esc(moteur.montant(g.deblocage))}</strong>, ` +
          `les autres réponses restant les mêmes.</p>` : "") + "</section>";
    }
    const wanted = g.lignes.map((gain) => {
      const line = lineLabel(r, gain.id);
      const along = gain.avec.length ? ` (avec ${gain.avec.map((id) => `« ${lineLabel(r, id).libelle} »`).join(", ")})` : "";
      return `<li data-ligne="${esc(gain.id)}"><strong class="gain">+${esc(moteur.montant(gain.montant))}</strong> ` +
        `${esc(line.libelle)}${esc(along)}<span class="explication">${esc(line.explication)}</span></li>`;
    });
    const would = wanted.length ? `<section class="faudrait"><h4>Ce qu'il faudrait</h4><p>Ce que chaque ligne non ` +
      `atteinte rapporterait si elle l'était, les autres réponses restant les mêmes :</p><ol>${wanted.join("")}</ol>` +
      "</section>" : "";
    return `<p class="verdict ${r.eligible ? "oui" : "non"}">Éligible : <strong>${r.eligible ? "oui" : "non"}</strong></p>` +
      `<p class="total"><span class="montant">${esc(moteur.montant(r.total))}</span> ` +
      (moteur.version.points ? `<span class="points">${esc(moteur.points(r.total_points))} points</span>` : "") +
      `</p>${gap}` +
      (r.explication ? `<p class="explication-generale">${esc(r.explication)}</p>` : "") + blocking + would;
  }

  /** Each version's column: made once for the versions shown, then updated where the answers change it. */
  function renderColumns(all) {
    const container = $("colonnes-resultats");
    const layout = state.shown.join(",");
    if (container.dataset.layout !== layout) {
      container.innerHTML = all.map((c) => `<article class="version" data-version="${esc(c.slug)}">` +
        `${head(versions[c.slug])}<div class="resume"></div><details class="detail" open><summary>Le détail, ligne par ` +
        `ligne</summary>${linesTable(versions[c.slug].moteur)}</details></article>`).join("");
      container.dataset.layout = layout;
    }
    const first = all[0];
    all.forEach((computed, i) => {
      const article = container.children[i];
      const text = summary(computed, first);
      if (article.summaryText !== text) {
        article.querySelector(".resume").innerHTML = text;
        article.summaryText = text;
      }
      article.classList.toggle("erreur", !!computed.erreurs);
      article.querySelector(".detail").hidden = !!computed.erreurs;
      if (computed.resultat) {
        article.dataset.total = computed.resultat.total;
        article.dataset.eligible = String(computed.resultat.eligible);
        updateRows(article, versions[computed.slug].moteur, computed.resultat);
      } else {
        delete article.dataset.total;
        delete article.dataset.eligible;
      }
    });
  }

  function difference(a, b) {  // two amounts written 1234.56, exactly, in cents
    const cents = (text) => BigInt(text.replace(".", ""));
    const d = cents(a) - cents(b);
    const size = d < 0n ? -d : d;
    const text = `${size / 100n}.${(size % 100n).toString().padStart(2, "0")}`;
    return (d < 0n ? "-" : "") + text;
  }

  let marked = new Map();  // donnée → the message shown beside its field

  function showErrors(all) {
    const wanted = new Map();
    for (const computed of all) {
      for (const d of computed.erreurs || []) {
        if (!d.donnee || !$("e-" + d.donnee)) continue;
        const prefix = state.shown.length > 1 ? `${versions[computed.slug].nom} : ` : "";
        const said = wanted.get(d.donnee) || "";
        if (!said.includes(d.message)) {
          wanted.set(d.donnee, (said ? said + " · " : "") + prefix + d.message + (d.aide ? ` (${d.aide})` : ""));
        }
      }
    }
    for (const id of marked.keys()) {
      if (wanted.has(id) || !$("e-" + id)) continue;
      $("e-" + id).textContent = "";
      if ($("f-" + id)) $("f-" + id).removeAttribute("aria-invalid");
    }
    for (const [id, text] of wanted) {
      if (marked.get(id) === text) continue;
      $("e-" + id).textContent = text;
      if ($("f-" + id)) $("f-" + id).setAttribute("aria-invalid", "true");
    }
    marked = wanted;
  }

  function recompute() {
    const all = state.shown.map(compute);
    renderColumns(all);
    const bar = all.map((c) => `<a href="#resultats">${esc(versions[c.slug].nom)} : <strong>` +
      `${c.resultat ? esc(versions[c.slug].moteur.montant(c.resultat.total)) : "—"}</strong></a>`).join(" · ");
    if ($("bandeau").innerHTML !== bar) $("bandeau").innerHTML = bar;
    const heard = all.map((c) => `${versions[c.slug].nom} : ${c.resultat ? `${c.resultat.eligible ? "éligible" : "non éligible"}, ` +
      versions[c.slug].moteur.montant(c.resultat.total) : "calcul impossible"}`).join(" ; ");
    if ($("annonce").textContent !== heard) $("annonce").textContent = heard;  // what a screen reader says
    showErrors(all);
    let relevant = new Set();
    for (const c of all) {
      if (!c.pertinentes) { relevant = null; break; }
      for (const id of c.pertinentes) relevant.add(id);
    }
    fold(relevant);
    laterFragment();
  }

  // ---- versions ----------------------------------------------------------------------------------------------

  function showVersions() {
    $("comparees").innerHTML = state.shown.map((slug, i) => {
      const v = versions[slug];
      const buttons = (i > 0 ? `<button type="button" data-premier="${esc(slug)}">Mettre en premier</button>` : "") +
        (state.shown.length > 1 ? `<button type="button" data-retirer="${esc(slug)}">Retirer</button>` : "");
      return `<li><strong>${esc(v.nom)}</strong>${statusBadge(v)} ${buttons}</li>`;
    }).join("");
    const others = Object.keys(versions).filter((slug) => !state.shown.includes(slug));
    $("ajout-version").innerHTML = others.map((slug) =>
      `<option value="${esc(slug)}">${esc(versions[slug].nom)}${versions[slug].statutMots ? ` (${esc(versions[slug].statutMots)})` : ""}</option>`).join("");
    $("ajout-version").disabled = $("ajouter").disabled = others.length === 0;
  }

  function changeVersions(shown) {
    state.shown = shown;
    for (const [id, value] of Object.entries(referenceAnswers(shown))) if (!(id in state.answers)) state.answers[id] = value;
    showVersions();
    buildForm();
    recompute();
    writeFragment();
  }

  // ---- import and export -------------------------------------------------------------------------------------

  function allDonnees() {
    const found = table();
    for (const slug of state.shown) for (const d of donneesOf(slug)) if (!own(found, d.id)) found[d.id] = d;
    return found;
  }

  function exported(format) {
    const donnees = allDonnees();
    const entries = [["id", state.structure || (versions[state.shown[0]].cas || { id: "structure" }).id]];
    for (const id in donnees) if (state.answers[id] !== undefined && state.answers[id] !== "") entries.push([id, state.answers[id]]);
    for (const [id, value] of Object.entries(state.extra)) entries.push([id, value]);
    const plainNumber = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
    if (format === "json") {
      const body = entries.map(([k, v]) => `  ${JSON.stringify(k)}: ${typeof v === "boolean" ? v
        : plainNumber.test(String(v)) && k !== "id" ? v : JSON.stringify(String(v))}`);
      return `{\n${body.join(",\n")}\n}\n`;
    }
    const lines = entries.map(([k, v]) => `${k}: ${typeof v === "boolean" ? (v ? "vrai" : "faux")
      : plainNumber.test(String(v)) && k !== "id" ? v : JSON.stringify(String(v))}`);
    return `# Déclaration exportée du simulateur convcheck (${versions[state.shown[0]].nom})\n${lines.join("\n")}\n`;
  }

  function download(format) {
    const text = exported(format);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: format === "json" ? "application/json" : "text/yaml" }));
    link.download = `${state.structure || "declaration"}.${format === "json" ? "json" : "yaml"}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    say(`Déclaration exportée en ${format === "json" ? "JSON" : "YAML"} : elle se relit avec convcheck eval.`);
  }

  function importText(text, name) {
    let declaration;
    try {
      declaration = versions[state.shown[0]].moteur.lireDeclaration(text, name);
    } catch (error) {
      say(`« ${name} » ne peut pas être lu : ${error.message}`, true);
      return;
    }
    const donnees = table();
    for (const slug in versions) for (const d of versions[slug].moteur.donnees) donnees[d.id] = d;
    state.answers = table();
    state.extra = table();
    state.structure = !own(declaration, "id") || declaration.id === null ? null : String(declaration.id);
    for (const [key, value] of Object.entries(declaration)) {
      if (key === "id") continue;
      if (!own(donnees, key)) { state.extra[key] = value === null ? null : String(value); continue; }
      if (value === null) continue;
      state.answers[key] = donnees[key].type === "booleen" && typeof value === "boolean" ? value
        : donnees[key].type === "booleen" && TRUE.concat(["faux", "false", "non", "no", "0"]).includes(String(value).trim().toLowerCase())
          ? TRUE.includes(String(value).trim().toLowerCase()) : typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    fillForm();
    recompute();
    const unknown = Object.keys(state.extra);
    say(`« ${name} » importée.` + (unknown.length ? ` Ignorées, car aucune version comparée ne les connaît : ` +
      `${unknown.map((k) => `« ${k} »`).join(", ")} (gardées à l'export).` : ""), unknown.length > 0);
  }

  function say(text, warning) {
    $("message").textContent = text;
    $("message").classList.toggle("avertissement", !!warning);
  }

  // ---- wiring ------------------------------------------------------------------------------------------------

  function start() {
    if (!loaded.length || loaded.length !== config.versions.length) {
      say("Les moteurs de calcul (dossier « moteurs ») n'ont pas pu être chargés : gardez le dossier du simulateur entier.", true);
      return;
    }
    $("provenance").innerHTML = (config.provenance || []).map((line) => `<li>${esc(line.trim())}</li>`).join("");
    readFragment();
    showVersions();
    buildForm();
    recompute();
    $("formulaire").addEventListener("input", (event) => {
      if (!event.target.name) return;
      readField(event.target);
      recompute();
    });
    $("formulaire").addEventListener("change", (event) => {
      if (!event.target.name || event.target.id === "importer") return;
      readField(event.target);
      recompute();
    });
    $("formulaire").addEventListener("submit", (event) => event.preventDefault());
    $("ajouter").addEventListener("click", () => {
      const slug = $("ajout-version").value;
      if (slug) changeVersions([...state.shown, slug]);
    });
    $("comparees").addEventListener("click", (event) => {
      const first = event.target.dataset.premier, removed = event.target.dataset.retirer;
      if (first) changeVersions([first, ...state.shown.filter((s) => s !== first)]);
      if (removed) changeVersions(state.shown.filter((s) => s !== removed));
    });
    $("reference").addEventListener("click", () => {
      state.answers = referenceAnswers(state.shown);
      state.structure = null;
      state.extra = table();
      fillForm();
      recompute();
      const cas = versions[state.shown[0]].cas;
      say(cas ? `Réponses de la structure de référence « ${cas.libelle || cas.id} ».` : "Cette version n'a pas de cas de référence.");
    });
    $("importer").addEventListener("change", (event) => {
      const file = event.target.files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => importText(String(reader.result), file.name);
      reader.readAsText(file, "utf-8");
      event.target.value = "";
    });
    $("exporter-json").addEventListener("click", () => download("json"));
    $("exporter-yaml").addEventListener("click", () => download("yaml"));
    $("copier-lien").addEventListener("click", () => {
      writeFragment();
      const done = () => say("Lien copié : il rouvre ce simulateur avec ces réponses.");
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(location.href).then(done, () => say(`Copiez ce lien : ${location.href}`));
      } else say(`Copiez ce lien : ${location.href}`);
    });
    window.addEventListener("hashchange", () => {
      readFragment();
      showVersions();
      buildForm();
      recompute();
    });
  }

  globalThis.convcheckSimulateur = { state, recompute, importText, exported, versions };
  start();
})();

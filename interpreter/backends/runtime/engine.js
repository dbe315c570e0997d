// The explanations, what can matter, and the engine a module exports.
// Part of the runtime embedded in every module of convcheck js (see numbers.js, the first part).

// ---- explanations (interpreter/backends/explain.py) -----------------------------------------------------

const W = TEXTES.mots;

/** What explains one structure: its données, paramètres, critères met, and the module's compiled parts. */
class Context {
  constructor(engine, d, m, s) {
    this.engine = engine;
    this.d = d;
    this.m = m;
    this.s = s;
    this.known = new Map();
  }

  part(index) {  // a part of a condition: true, false, or null when it cannot be computed
    if (!this.known.has(index)) {
      let value;
      try {
        value = !!this.engine.parties[index](this.d, this.engine.p, this.m, this.s);
      } catch (error) {
        if (!(error instanceof EvaluationError)) throw error;
        value = null;
      }
      this.known.set(index, value);
    }
    return this.known.get(index);
  }

  value(node) {
    switch (node[0]) {
      case "part": return this.part(node[1]);
      case "non": {
        const v = this.value(node[1]);
        return v === null ? null : !v;
      }
      default: {
        const left = this.value(node[1]);
        if (left === null) return null;
        if (left === (node[0] === "ou")) return left;
        return this.value(node[2]);
      }
    }
  }

  reasons(node) {
    if (node[0] === "non") return this.reasons(node[1]);
    if (node[0] === "part") return [this.leaf(node[1])];
    const deciding = node[0] === "et" ? (v) => v === false : (v) => v === true;
    const a = this.value(node[1]), b = this.value(node[2]);
    if (deciding(a) && !deciding(b)) return this.reasons(node[1]);
    if (deciding(b) && !deciding(a)) return this.reasons(node[2]);
    return this.reasons(node[1]).concat(this.reasons(node[2]));
  }

  leaf(index) {
    const [text, shown, hint] = this.engine.model.parties[index];
    const value = this.part(index);
    let said = fill(W.leaf, { text, value: value ? W.true : W.false });
    if (shown.length) {
      const values = shown.map(([name, where, how]) =>
        fill(W.named, { name, value: where === "d" ? readerText(this.d[name], how) : how }));
      said += fill(W.shown, { values: values.join(W.comma) });
    }
    if (value === false && hint !== null) said += fill(W.hint, { hint });
    return said;
  }

  why(line) {
    return this.reasons(line.condition).join(W.and);
  }
}

function lineText(context, line, eligible, run) {
  const m = context.m, engine = context.engine;
  if (line.sorte === "brique") return briqueText(context, line, eligible);
  if (line.sorte === "majoration" || line.sorte === "minimum") {
    if (!m[line.id]) return fill(W.not_met, { why: context.why(line) });
    if (!eligible && line.sorte === "minimum") {
      return fill(W.minimum_not_eligible, { floor: euros(engine.planchers[line.id](context.d, engine.p, m, context.s)) });
    }
    if (!eligible) return W.not_eligible;
    if (line.sorte === "majoration") {
      const rate = engine.taux[line.id](context.d, engine.p, m, context.s);
      return fill(W.majoration, { rate: readerText(rate, "pourcentage"), base: euros(run.bases[line.id]),
                                  words: line.assiette });
    }
    const floor = engine.planchers[line.id](context.d, engine.p, m, context.s);
    let total = ZERO;
    for (const id of line.avant) total = add(total, run.amounts[id]);
    if (cmp(total, floor) >= 0) return fill(W.minimum_enough, { floor: euros(floor), total: euros(total) });
    return fill(W.minimum_top_up, { floor: euros(floor), total: euros(total), gap: euros(sub(floor, total)) });
  }
  if (!m[line.id]) return fill(W.not_met, { why: context.why(line) });
  if (line.brique === null && !eligible) return W.met_not_eligible;
  return W.met;
}

function blocking(context, lines) {
  return lines.map((c) => fill(W.blocking, { label: c.libelle === null ? c.id : c.libelle, why: context.why(c) }))
    .join(W.comma);
}

function briqueText(context, brique, eligible) {
  if (!context.value(brique.condition)) {
    return fill(W.brique_not_asked, { reasons: context.reasons(brique.condition).join(W.and) });
  }
  const model = context.engine.model;
  const unmet = brique.criteres.filter((id) => !context.m[id]).map((id) => model.ligne[id]);
  if (unmet.length) return fill(W.brique_blocked, { parts: blocking(context, unmet) });
  return eligible ? W.brique_met : W.brique_not_eligible;
}

function eligibilityText(context) {
  const model = context.engine.model;
  const failing = model.prerequis.filter((id) => !context.m[id]).map((id) => model.ligne[id]);
  return fill(failing.length === 1 ? W.ineligible_one : W.ineligible_many, { parts: blocking(context, failing) });
}

// ---- what can matter (the simulator folds the rest away) ------------------------------------------------

/** The données that can change an amount, given the other answers: those read by the conditions whose
 * value can matter (every prérequis; when the structure is eligible, every other line's, but a brique's
 * critères only when the structure asks to join the brique; and the conditions these read with atteint),
 * those read by the amounts of the lines paid, and those a scenario line computes them from. A donnée
 * outside it cannot change anything: changing it changes no condition that matters and no amount paid. */
function relevant(engine, context, run) {
  const model = engine.model, lit = model.lit;
  const used = new Set(model.prerequis);
  if (run.eligible) {
    for (const line of model.lignes) {
      if (line.brique === null) used.add(line.id);
      else if (context.value(model.ligne[line.brique].condition) !== false) used.add(line.id);
    }
  }
  const pending = [...used];
  while (pending.length) {
    for (const id of lit[pending.pop()].atteint) if (!used.has(id)) { used.add(id); pending.push(id); }
  }
  const found = new Set();
  for (const id of used) for (const d of lit[id].condition) found.add(d);
  for (const line of model.lignes) if (paidLine(line, run)) for (const d of lit[line.id].montant) found.add(d);
  const steps = model.etapesLisent;
  for (let i = engine.etapes.length - 1; i >= 0; i--) {
    if (found.has(engine.etapes[i][1])) for (const d of steps[i]) found.add(d);
  }
  return model.donnees.map((d) => d.id).filter((id) => found.has(id));
}

// ---- the engine a module exports -----------------------------------------------------------------------

function impossible(structure, error) {
  if (!(error instanceof EvaluationError)) return error;
  return new ErreurConvcheck([diagnostic("evaluation-impossible",
                                         fill(TEXTES.impossible, { structure, erreur: error.message }), null, null)]);
}

/** The données the rules see: the declaration's, then each scenario line in order. */
function staged(engine, d, s) {
  if (!engine.etapes.length) return d;
  const values = Object.assign(Object.create(null), d);
  for (const [scenario, id, compute] of engine.etapes) {
    let value;
    try {
      value = compute(values, engine.p, Object.create(null), s);
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      throw new EvaluationError(fill(TEXTES.scenario.erreur, { erreur: error.message, scenario, donnee: id }));
    }
    const why = isNumber(value) ? valueProblem(engine.model.parId[id], value) : null;
    if (why !== null) throw new EvaluationError(fill(TEXTES.scenario.valeur, { scenario, donnee: id, probleme: why }));
    values[id] = value;
  }
  return values;
}

function paidLine(line, run) {
  return run.eligible && run.met[line.id] && own(run.amounts, line.id);
}

function result(engine, structure, context, run, defaults) {
  const model = engine.model;
  const out = { convention: model.convention, libelle: model.libelle, version: model.version, structure,
                eligible: run.eligible, explication: null, total: money(run.total),
                total_points: pointsText(run.totalPoints), criteres: [], briques: [], majorations: [], minimums: [],
                parametres: model.parametres,
                valeurs_par_defaut: defaults.map((d) => ({ id: d.id, libelle: d.libelle, valeur: d.defaut.texte })) };
  for (const line of model.lignes) {
    const holds = run.met[line.id];
    let explanation = holds && line.sorte === "critere" && (run.eligible || line.brique !== null)
      ? W.met : lineText(context, line, run.eligible, run);
    const paid = paidLine(line, run);
    const factor = paid && own(run.factors, line.id) ? run.factors[line.id] : null;
    if (factor !== null && !eq(factor, ONE)) {  // a share of the year, and what the whole year would pay
      const points = own(run.points, line.id) ? run.points[line.id] : ZERO;
      const annual = engine.annuels[line.id](context.d, engine.p, context.m, context.s, points);
      explanation += W.and + fill(W.prorated, { share: shareText(factor), annual: euros(annual) });
    }
    const prorata = factor === null ? null : shareText(factor);
    const montant = money(own(run.amounts, line.id) ? run.amounts[line.id] : ZERO);
    const points = pointsText(own(run.points, line.id) ? run.points[line.id] : ZERO);
    if (line.sorte === "critere") {
      out.criteres.push({ id: line.id, libelle: line.libelle, section: line.section, brique: line.brique,
                          atteint: holds, paye: paid, points, montant, prorata, explication: explanation });
    } else if (line.sorte === "brique") {
      out.briques.push({ id: line.id, libelle: line.libelle, debloquee: holds, payee: paid,
                         points, montant, prorata, explication: explanation,
                         criteres: line.criteres });
    } else {
      out[line.sorte + "s"].push({ id: line.id, libelle: line.libelle, applicable: holds, paye: paid, montant,
                                   explication: explanation });
    }
  }
  if (!run.eligible) out.explication = eligibilityText(context);
  return out;
}

function engine(model, compiled) {
  const self = Object.assign({ model }, compiled);
  model.parId = Object.create(null);
  for (const donnee of model.donnees) model.parId[donnee.id] = donnee;
  model.ligne = Object.create(null);
  for (const line of model.lignes) model.ligne[line.id] = line;

  function prepared(declaration, options) {
    const [structure, values, defaults] = validate(model, declaration, options && options.autres);
    let d;
    try {
      d = staged(self, values, structure);
    } catch (error) {
      throw impossible(structure, error);
    }
    return [structure, d, defaults];
  }

  /** One structure: the result of `convcheck eval --format json` (without its hypotheses). */
  function evaluer(declaration, options) {
    const [structure, d, defaults] = prepared(declaration, options);
    try {
      const run = self.run(d, self.p, structure, null);
      return result(self, structure, new Context(self, d, run.met, structure), run, defaults);
    } catch (error) {
      throw impossible(structure, error);
    }
  }

  /** What each line not met would add to the total if it were met, the others as they are (what-ifs of
   * the payment rules: the line's condition held true), largest first — a brique with its critères not met
   * (`avec`) —; and, for a structure that is not eligible, what meeting every prérequis it misses would
   * bring. Amounts as eval writes them. */
  function whatIfs(d, structure, run) {
    const gainOf = (held) => {
      const forced = Object.create(null);
      for (const id of held) forced[id] = true;
      try {
        return sub(self.run(d, self.p, structure, forced).total, run.total);
      } catch (error) {
        if (error instanceof EvaluationError) return null;
        throw error;
      }
    };
    const missing = model.prerequis.filter((id) => !run.met[id]);
    const found = [];
    for (const line of model.lignes) {
      if (run.met[line.id] || model.prerequis.includes(line.id)) continue;
      // a brique takes its condition and every critère of it not met; a line alone, itself
      const also = line.sorte === "brique" ? line.criteres.filter((id) => !run.met[id]) : [];
      const gain = gainOf([line.id, ...also]);
      if (gain !== null && cmp(gain, ZERO) > 0) found.push({ id: line.id, gain, also });
    }
    found.sort((a, b) => cmp(b.gain, a.gain) || model.ordre[a.id] - model.ordre[b.id]);
    const unlocked = missing.length ? gainOf(missing) : null;
    return { lignes: found.map((f) => ({ id: f.id, montant: money(f.gain), avec: f.also })),
             prerequis: missing, deblocage: unlocked === null ? null : money(unlocked) };
  }

  function gains(declaration, options) {
    const [structure, d] = prepared(declaration, options);
    try {
      return whatIfs(d, structure, self.run(d, self.p, structure, null));
    } catch (error) {
      throw impossible(structure, error);
    }
  }

  /** `evaluer`, `gains` and `pertinentes` at once (the declaration read and the rules run once for the three). */
  function simuler(declaration, options) {
    const [structure, d, defaults] = prepared(declaration, options);
    try {
      const run = self.run(d, self.p, structure, null);
      const context = new Context(self, d, run.met, structure);
      return { resultat: result(self, structure, context, run, defaults), gains: whatIfs(d, structure, run),
               pertinentes: relevant(self, context, run) };
    } catch (error) {
      throw impossible(structure, error);
    }
  }

  /** The données that can change an amount with these answers (the others may be folded away). */
  function pertinentes(declaration, options) {
    const [structure, d] = prepared(declaration, options);
    try {
      const run = self.run(d, self.p, structure, null);
      return relevant(self, new Context(self, d, run.met, structure), run);
    } catch (error) {
      throw impossible(structure, error);
    }
  }

  model.ordre = Object.create(null);
  model.lignes.forEach((line, i) => { model.ordre[line.id] = i; });
  const lignes = model.lignes.map((line) => ({ id: line.id, libelle: line.libelle, sorte: line.sorte,
                                               section: line.section, brique: line.brique, lit: model.lit[line.id] }));
  return { evaluer, gains, pertinentes, simuler, donnees: model.descriptions, lignes, calculees: model.calculees,
           version: model.entete, lireDeclaration: readDeclaration, montant: (text) => euros(readToken(text, "montant")),
           points: (text) => frenchNumber(readToken(text, "nombre")) };
}

return {
  EvaluationError, ErreurConvcheck, Jeton, located, q, ZERO, ONE, add, sub, mul, div, neg, cmp, eq, min, max, least,
  most, within, among, round, cents, totalCents, totalPoints, drawn, plain, frenchNumber, euros, readerText,
  convText, money, pointsText, readNumber, readDate, suggest, engine, structureHash,
};

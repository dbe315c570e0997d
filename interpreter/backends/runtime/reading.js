// Reading what a structure declares: numbers, dates, the closest name, declarations and their files.
// Part of the runtime embedded in every module of convcheck js (see numbers.js, the first part).

// ---- reading numbers (interpreter/io/numbers.py; the patterns are Python's) ---------------------------

function pattern(source) {
  return new RegExp("^(?:" + source.replace(/\(\?P</g, "(?<") + ")$", "u");
}

const NOMBRES = TEXTES.nombres;
const TEXT = pattern(NOMBRES.texte), SEPARATORS = pattern(NOMBRES.separateurs), TOKEN = pattern(NOMBRES.jeton);
const AMBIGUOUS_INTEGER = pattern(NOMBRES.entierAmbigu), AMBIGUOUS_FRACTION = pattern(NOMBRES.fractionAmbigue);
const GROUPS = new RegExp("[" + NOMBRES.espacesDeGroupe + "_]", "gu");

/** A number as a typed format writes it (a JSON number): its text, the point decimal. */
class Jeton {
  constructor(text) {
    this.texte = String(text);
  }
  toString() {
    return this.texte;
  }
}

function stripChars(text, chars) {
  let start = 0, end = text.length;
  while (start < end && chars.includes(text[start])) start++;
  while (end > start && chars.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

function codePoints(text) {
  return Array.from(text);
}

/** A value as the user wrote it, cut in the middle when it is too long to read (dsl/limits.py). */
function shorten(text) {
  const chars = codePoints(text);
  if (chars.length <= 32) return text;
  const digits = chars.filter((c) => c >= "0" && c <= "9").length;
  return `${chars.slice(0, 12).join("")}…${chars.slice(-6).join("")} (${digits} chiffres)`;
}

function digitsProblem(integer, fraction, exponent = 0) {
  const digits = integer + fraction;
  const point = integer.length + exponent;
  const first = digits.length - digits.replace(/^0+/, "").length;
  const last = digits.replace(/0+$/, "").length;
  if (first === digits.length) return null;
  if (point - first > NOMBRES.maxChiffres) return "trop-grand";
  if (last - point > NOMBRES.maxDecimales) return "trop-de-decimales";
  return null;
}

function problem(code, shown, detail = null, hint = null) {
  return { probleme: code, shown, detail, hint };
}

function beyond(which, shown, kind) {
  const texts = NOMBRES.limites[which + (kind === "pourcentage" ? "-pour-cent" : "")];
  return problem("nombre-hors-limites", shown, texts[0].replace("\u0000", shorten(shown)),
                 texts[1].replace("\u0000", shorten(shown)));
}

function compose(sign, integer, fraction, exponent) {
  const digits = BigInt((integer + fraction).replace(/^0+/, "") || "0");
  const scale = exponent - fraction.length;
  const n = sign === "-" ? -digits : digits;
  return scale >= 0 ? q(n * ten(scale), 1n) : q(n, ten(-scale));
}

function readText(text, kind) {
  const shown = stripChars(text, NOMBRES.blancs);
  const match = TEXT.exec(text);
  if (match === null) {
    const several = SEPARATORS.exec(text);
    return several ? severalSeparators(shown, several) : problem("type", shown);
  }
  const { sign, int: written, sep, frac, unit } = match.groups;
  if (unit !== undefined && !(NOMBRES.unites[kind] || []).includes(unit.toLowerCase())) return problem("type", shown);
  if (sep && AMBIGUOUS_INTEGER.test(written) && AMBIGUOUS_FRACTION.test(frac)) {
    return singleSeparator(shown, sign, written, sep, frac);
  }
  const integer = written.replace(GROUPS, "");
  const fraction = (frac || "").replace(/_/g, "");
  const beyondLimits = digitsProblem(integer, fraction);
  if (beyondLimits !== null) return beyond(beyondLimits, shown, kind);
  return compose(sign, integer, fraction, 0);
}

function readToken(text, kind) {
  const match = TOKEN.exec(text);
  if (match === null) return problem("type", text);
  const { sign, int: written, frac, exp } = match.groups;
  const integer = written.replace(/_/g, ""), fraction = (frac || "").replace(/_/g, "");
  const exponent = (exp || "0").replace(/_/g, "");
  if (!(integer + fraction).replace(/0/g, "")) return ZERO;
  if (exponent.replace(/^[+-]+/, "").replace(/^0+/, "").length > 9) {
    return beyond(exponent.startsWith("-") ? "trop-de-decimales" : "trop-grand", text, kind);
  }
  const beyondLimits = digitsProblem(integer, fraction, Number(exponent));
  if (beyondLimits !== null) return beyond(beyondLimits, text, kind);
  return compose(sign, integer, fraction, Number(exponent));
}

function singleSeparator(shown, sign, integer, separator, fraction) {
  sign = sign === "-" ? "-" : "";
  let decimals = fraction.replace(/0+$/, "") || "0";
  if (decimals.length === 3) decimals += "0";
  return problem("nombre-ambigu", shown, fill(NOMBRES.ambigu.un, { separateur: separator }),
                 fill(NOMBRES.ambigu.unAide, { milliers: sign + integer + fraction,
                                               decimales: `${sign}${integer}.${decimals}` }));
}

function severalSeparators(shown, match) {
  const sign = match.groups.sign === "-" ? "-" : "";
  const body = shown.replace(new RegExp("[" + NOMBRES.blancs + "]|€|[eE][uU][rR]|%", "gu"), "").replace(/^[+-]+/, "");
  const separators = body.match(/[.,]/g) || [];
  const pieces = body.split(/[.,]/);
  const hint = new Set(separators).size === 1
    ? fill(NOMBRES.ambigu.plusieursMilliers, { milliers: sign + pieces.join("") })
    : fill(NOMBRES.ambigu.plusieursDecimales, { separateur: separators[separators.length - 1],
                                                nombre: `${sign}${pieces.slice(0, -1).join("")}.${pieces[pieces.length - 1]}` });
  return problem("nombre-ambigu", shown, NOMBRES.ambigu.plusieurs, hint);
}

function shownOf(raw) {
  if (typeof raw === "boolean") return raw ? "vrai" : "faux";
  if (raw === null || raw === undefined) return "";
  if (Array.isArray(raw) || (typeof raw === "object" && !(raw instanceof Jeton))) return "une liste ou une table";
  return String(raw);
}

/** One input number (a pourcentage as its fraction), or the problem { probleme, shown, detail, hint }. */
function readNumber(raw, kind) {
  let value;
  if (raw instanceof Jeton || typeof raw === "number" || typeof raw === "bigint") value = readToken(String(raw), kind);
  else if (typeof raw === "string") value = readText(raw, kind);
  else value = problem("type", shownOf(raw));
  if (value.probleme !== undefined || kind !== "pourcentage") return value;
  return div(value, q(100n, 1n));
}

// ---- dates (Python's date.fromisoformat) --------------------------------------------------------------

function daysFromCivil(y, m, d) {  // days since 1970-01-01 of a proleptic Gregorian date
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z) {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function isoText(y, m, d) {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function leap(y) {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function validDate(y, m, d) {
  const lengths = [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= lengths[m - 1] ? isoText(y, m, d) : null;
}

function fromIsoWeek(y, week, day) {
  if (y < 1 || y > 9999 || day < 1 || day > 7) return null;
  const weekdayOfJan1 = (((daysFromCivil(y, 1, 1) + 3) % 7) + 7) % 7;  // 0 = Monday
  if (week < 1 || week > 53) return null;
  if (week === 53 && !(weekdayOfJan1 === 3 || (weekdayOfJan1 === 2 && leap(y)))) return null;
  const monday = daysFromCivil(y, 1, 1) - weekdayOfJan1 + (weekdayOfJan1 > 3 ? 7 : 0);
  const [yy, mm, dd] = civilFromDays(monday + (week - 1) * 7 + (day - 1));
  return yy >= 1 && yy <= 9999 ? isoText(yy, mm, dd) : null;
}

/** An ISO date as Python's date.fromisoformat reads it (CPython's parser: 7, 8 or 10 characters; YYYY-MM-DD,
 * YYYYMMDD, YYYY-Www-D, YYYYWwwD…; what follows the date's last digit is not read), as YYYY-MM-DD, or null. */
function readDate(text) {
  if (![7, 8, 10].includes(text.length)) return null;
  let at = 0;
  const digits = (count) => {
    const found = text.slice(at, at + count);
    if (found.length !== count || /[^0-9]/.test(found)) return null;
    at += count;
    return Number(found);
  };
  const year = digits(4);
  if (year === null) return null;
  const dashed = text[at] === "-";
  if (dashed) at++;
  if (text[at] === "W") {
    at++;
    const week = digits(2);
    if (week === null) return null;
    let day = 1;
    if (at < text.length) {
      if (dashed && text[at++] !== "-") return null;
      day = digits(1);
      if (day === null) return null;
    }
    return fromIsoWeek(year, week, day);
  }
  const month = digits(2);
  if (month === null || (dashed && text[at++] !== "-")) return null;
  const day = digits(2);
  return day === null ? null : validDate(year, month, day);
}

/** Python's str.strip(): the characters it takes for blanks (not quite JavaScript's trim()). */
const PY_BLANKS = /^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/gu;

function pyStrip(text) {
  return text.replace(PY_BLANKS, "");
}

// ---- the closest name (Python's difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)) ------------

function matchingSize(a, b, b2j) {
  let total = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    let besti = alo, bestj = blo, bestsize = 0;
    let j2len = new Map();
    for (let i = alo; i < ahi; i++) {
      const next = new Map();
      for (const j of b2j.get(a[i]) || []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) || 0) + 1;
        next.set(j, k);
        if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
      }
      j2len = next;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) { besti--; bestj--; bestsize++; }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize++;
    if (bestsize) {
      total += bestsize;
      if (alo < besti && blo < bestj) queue.push([alo, besti, blo, bestj]);
      if (besti + bestsize < ahi && bestj + bestsize < bhi) queue.push([besti + bestsize, ahi, bestj + bestsize, bhi]);
    }
  }
  return total;
}

function closest(word, candidates) {
  const b = codePoints(word);
  const b2j = new Map();
  b.forEach((c, i) => { if (!b2j.has(c)) b2j.set(c, []); b2j.get(c).push(i); });
  if (b.length >= 200) {
    const ntest = Math.floor(b.length / 100) + 1;
    for (const [c, indices] of [...b2j]) if (indices.length > ntest) b2j.delete(c);
  }
  let best = null, bestScore = -1;
  for (const candidate of candidates) {
    const a = codePoints(candidate);
    const length = a.length + b.length;
    const score = length ? (2.0 * matchingSize(a, b, b2j)) / length : 1.0;
    if (score >= 0.6 && (score > bestScore || (score === bestScore && candidate > best))) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** « vouliez-vous dire « x » ? » for the closest candidate, or null (dsl/diagnostics.py's suggest). */
function suggest(word, candidates) {
  const found = closest(word, candidates);
  return found === null ? null : fill(TEXTES.vouliezVousDire, { nom: found });
}

// ---- declarations (interpreter/io/declarations.py) --------------------------------------------------------

function pythonText(raw) {  // str() of a value, as the Python reader's suggestions read it
  if (typeof raw === "boolean") return raw ? "True" : "False";
  if (raw === null || raw === undefined) return "None";
  if (typeof raw === "object" && !(raw instanceof Jeton)) return JSON.stringify(raw);
  return String(raw);
}

function booleanOf(raw) {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string" || raw instanceof Jeton) {
    const word = pyStrip(String(raw)).toLowerCase();
    if (TEXTES.vrai.includes(word)) return true;
    if (TEXTES.faux.includes(word)) return false;
  }
  return null;
}

function placed(template, shown) {
  return template.replace("\u0001", shown);
}

/** The value of one donnée, or the diagnostic saying why not (the messages are Python's, per donnée). */
function convert(donnee, raw) {
  const kind = donnee.type;
  const shown = shorten(typeof raw === "string" ? raw : shownOf(raw));
  const says = donnee.messages;
  const wrong = () => diagnostic("declaration-type", placed(says.type[0], shown), says.type[1], donnee.id);
  if (kind === "choix") {
    if (!(typeof raw === "string" || raw instanceof Jeton) || !donnee.choix.includes(String(raw))) {
      return diagnostic("declaration-choix", placed(says.choix[0], shown),
                        suggest(pythonText(raw), donnee.choix) || says.choix[1], donnee.id);
    }
    return { valeur: String(raw) };
  }
  if (kind === "booleen") {
    const value = booleanOf(raw);
    return value === null ? wrong() : { valeur: value };
  }
  if (kind === "date") {
    const day = typeof raw === "string" || raw instanceof Jeton ? readDate(pyStrip(String(raw))) : null;
    return day === null ? wrong() : { valeur: day };
  }
  const number = readNumber(raw, kind);
  if (number.probleme !== undefined) {
    if (number.probleme === "type") return wrong();
    const message = number.probleme === "nombre-ambigu"
      ? fill(NOMBRES.ambigu.message, { donnee: donnee.id, valeur: number.shown, detail: number.detail })
      : fill(NOMBRES.horsLimites, { donnee: donnee.id, detail: number.detail });
    return diagnostic(number.probleme, message, number.hint, donnee.id);
  }
  if (kind === "entier" && number.d !== 1n) {
    return diagnostic("declaration-type", placed(says.entier[0], shown), says.entier[1], donnee.id);
  }
  if ((donnee.bas !== null && cmp(number, donnee.bas) < 0) || (donnee.haut !== null && cmp(number, donnee.haut) > 0)) {
    return diagnostic("declaration-hors-intervalle", placed(says.intervalle, convText(number, kind)), null, donnee.id);
  }
  return { valeur: number };
}

/** A structure's id, the values of its données and the données it took at their default (`par défaut`), or an
 * ErreurConvcheck listing every problem. `elsewhere`: keys that other versions know; the données a scenario
 * computes (`model.calculees`) may be absent. */
function validate(model, declaration, elsewhere) {
  if (declaration === null || typeof declaration !== "object" || Array.isArray(declaration)) {
    throw new ErreurConvcheck([diagnostic("declaration-illisible", TEXTES.pasUneTable, null, null)]);
  }
  const values = Object.create(null), problems = [];
  const given = Object.keys(declaration).filter((k) => k !== "id");
  for (const key of given) {
    if (!own(model.parId, key) && !(elsewhere && elsewhere.includes(key))) {
      problems.push(diagnostic("declaration-cle-inconnue", placed(model.cleInconnue, key),
                               suggest(key, model.donnees.map((d) => d.id)), key));
    }
  }
  const defaults = [];
  for (const donnee of model.donnees) {
    const present = own(declaration, donnee.id), raw = present ? declaration[donnee.id] : undefined;
    if (!present && model.calculees.includes(donnee.id)) continue;
    if ((raw === null || raw === undefined) && donnee.defaut !== null) {  // `par défaut`: taken, and said
      values[donnee.id] = donnee.defaut.valeur;
      defaults.push(donnee);
      continue;
    }
    if (raw === null || raw === undefined) {
      problems.push(diagnostic("declaration-donnee-manquante", donnee.messages.manquante[0],
                               donnee.messages.manquante[1], donnee.id));
      continue;
    }
    const converted = convert(donnee, raw);
    if (converted.code !== undefined) problems.push(converted);
    else values[donnee.id] = converted.valeur;
  }
  if (problems.length) throw new ErreurConvcheck(problems);
  const id = declaration.id;
  return [id === undefined ? "structure" : id === null || typeof id === "boolean" ? pythonText(id) : String(id), values,
          defaults];
}

/** Why a value a scenario computed cannot be the donnée's (scalar.value_problem), or null. */
function valueProblem(donnee, value) {
  const shown = convText(value, donnee.type);
  if (donnee.type === "entier" && value.d !== 1n) return fill(TEXTES.scenario.pasEntier, { valeur: shown });
  if ((donnee.bas !== null && cmp(value, donnee.bas) < 0) || (donnee.haut !== null && cmp(value, donnee.haut) > 0)) {
    return fill(TEXTES.scenario.horsIntervalle, { valeur: shown, bas: convText(donnee.bas, donnee.type),
                                                  haut: convText(donnee.haut, donnee.type) });
  }
  return null;
}

// ---- declaration files, as the simulator imports them (JSON, and the flat YAML of the examples) ----------

/** A JSON declaration, its numbers kept as written (Jeton), a key written twice refused. */
function readJson(text) {
  let at = 0;
  const fail = (english) => {
    const before = text.slice(0, at).split("\n");
    const french = Object.entries(TEXTES.json).find(([e]) => english.includes(e));
    throw new Error(`${TEXTES.jsonIllisible} ${french ? french[1] : english} (ligne ${before.length}, colonne ${before[before.length - 1].length + 1})`);
  };
  const blank = () => { while (at < text.length && " \t\n\r".includes(text[at])) at++; };
  const value = () => {
    blank();
    const c = text[at];
    if (c === "{") {
      at++;
      const out = Object.create(null);
      blank();
      if (text[at] === "}") { at++; return out; }
      for (;;) {
        blank();
        if (text[at] !== '"') fail("Expecting property name");
        const key = string();
        if (own(out, key)) throw new Error(fill(TEXTES.deuxFois, { cle: key }));
        blank();
        if (text[at] !== ":") fail("Expecting ':' delimiter");
        at++;
        out[key] = value();
        blank();
        if (text[at] === ",") { at++; continue; }
        if (text[at] === "}") { at++; return out; }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === "[") {
      at++;
      const out = [];
      blank();
      if (text[at] === "]") { at++; return out; }
      for (;;) {
        out.push(value());
        blank();
        if (text[at] === ",") { at++; continue; }
        if (text[at] === "]") { at++; return out; }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return string();
    for (const [word, meaning] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, at)) { at += word.length; return meaning; }
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at));
    if (number === null) fail("Expecting value");
    at += number[0].length;
    return new Jeton(number[0]);
  };
  const string = () => {
    const match = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(at));
    if (match === null) fail(/^"[^"]*$/.test(text.slice(at)) ? "Unterminated string" : "Invalid control character");
    at += match[0].length;
    return JSON.parse(match[0]);
  };
  const found = value();
  blank();
  if (at < text.length) fail("Extra data");
  if (found === null || typeof found !== "object" || Array.isArray(found)) throw new Error(TEXTES.pasUneTable);
  return found;
}

/** A YAML declaration written as the examples are: one « donnée: valeur » per line, comments, quotes. What
 * needs more of YAML (indentation, lists, anchors, several lines) is refused, with the way out (JSON). */
function readYaml(text) {
  const out = Object.create(null);
  text.replace(/^\ufeff/, "").split(/\r?\n/).forEach((line, index) => {
    if (/^\s*(#.*)?$/.test(line) || /^---\s*(#.*)?$/.test(line)) return;
    const match = /^([A-Za-z0-9_\u00c0-\u024f-]+|"[^"]*"|'[^']*'):(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
    if (match === null) throw new Error(fill(TEXTES.yamlTropRiche, { ligne: index + 1 }));
    let key = match[1];
    if (/^["']/.test(key)) key = key.slice(1, -1);
    let raw = (match[2] || "").replace(/^((?:[^#"']|"[^"]*"|'[^']*')*?)\s+#.*$/, "$1").replace(/^#.*$/, "");
    let value;
    if (/^"(?:[^"\\]|\\.)*"$/.test(raw)) value = JSON.parse(raw);
    else if (/^'(?:[^']|'')*'$/.test(raw)) value = raw.slice(1, -1).replace(/''/g, "'");
    else if (/^[[{&*!|>%@`"']/.test(raw) || /:\s|\s#/.test(raw)) throw new Error(fill(TEXTES.yamlTropRiche, { ligne: index + 1 }));
    else value = ["", "~", "null", "Null", "NULL"].includes(raw) ? null : raw;
    if (own(out, key)) throw new Error(fill(TEXTES.deuxFois, { cle: key }));
    out[key] = value;
  });
  return out;
}

/** A declaration file's text as a declaration (`name`: the file's name, whose stem is the structure's id when
 * it has none, as `convcheck eval` reads it). */
function readDeclaration(text, name) {
  const found = /\.ya?ml$/i.test(name) ? readYaml(text) : readJson(text.replace(/^\ufeff/, ""));
  if (!own(found, "id") && name) found.id = name.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
  return found;
}


/* chatdigest search: the chunked index of generator/search/index.py shown in Material's search box.
 *
 * Opening the search fetches search/meta.json (the chunks' first terms, the language) and the
 * Snowball stemmer of the community's language (assets/stemmers/). A query is
 * made into terms exactly as generator/search/stemming.py makes a text into terms: stems, and
 * pairs of characters for Chinese, Japanese and Korean. For each term it fetches the chunk that
 * holds it; a "quoted phrase" (and a run of CJK characters) also fetches the terms' positions
 * and keeps only documents where the terms stand in a row. A word with no match of its own is
 * tried as the start of longer terms ("onboa" while typing), then, from 5 letters, as a typo:
 * the words one edit away whose terms are in its chunk ("salery" → "salary"), and the box says so.
 *
 * Every document (message, question, page) holding all of a query's words is a result linked to
 * its anchor. Results are grouped by page: chats (by how many of their documents match, newer
 * first on ties) and hand-written pages by the same score, people pages after them. A page shows
 * its first few matches and expands in place to all of them; only the record blocks holding the
 * shown documents are fetched.
 *
 * Records are plain text (a message's "<script>" is there as those characters): only text nodes
 * are made from them, never innerHTML, so they stay text here too.
 */
(() => {
  "use strict";
  const box = document.querySelector("[data-cd-search]");
  const toggle = document.getElementById("__search"); // Material's checkbox: checked = search open
  if (!box || !toggle) return;

  const FIRST_HITS = 10;       // results shown before "more": pages are added until there are this many
  const MAX_PAGES_PER_BATCH = 5;
  const HITS_PER_PAGE = 5;     // a page's matches shown before it is expanded
  const EXCERPT_WORDS = 28;
  const PREFIX_FROM = 3;       // shorter words match whole terms only: "a" would match half the index
  const TYPO_FROM = 5;         // shorter words have too many neighbours one edit away
  const CHUNKS_PER_WORD = 3;   // at most this many chunks of terms starting with one word
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // As stemming.py's CJK_RANGES.
  const CJK = "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf" +
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\u{20000}-\u{3134f}";
  const CJK_RUN = new RegExp(`[${CJK}]+|[^${CJK}]+`, "gu");
  const IS_CJK = new RegExp(`[${CJK}]`, "u");
  const CYRILLIC = /[\u0400-\u04ff]/;
  const input = box.querySelector(".md-search__input");
  const form = box.querySelector(".md-search__form");
  const meta = box.querySelector(".md-search-result__meta");
  const list = box.querySelector(".md-search-result__list");
  const more = box.querySelector(".cd-search__more");
  const selects = [...box.querySelectorAll("select[data-filter]")];
  const texts = box.dataset;
  let root = new URL(texts.root, document.baseURI).pathname;
  if (!root.endsWith("/")) root += "/";

  // --- terms, as stemming.py makes them ----------------------------------------------------

  const stemmers = new Map();  // language → Promise of its stem function
  function loadStemmer(language) {
    if (!language) return Promise.resolve((word) => word);
    if (!stemmers.has(language)) {
      stemmers.set(language, new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = `${texts.stemmers}${language}.js`;
        // Without its stemmer a query still finds the forms it is written in.
        const done = () => resolve(globalThis.chatdigestStemmers?.[language] || ((word) => word));
        script.onload = done;
        script.onerror = done;
        document.head.append(script);
      }));
    }
    return stemmers.get(language);
  }

  function words(text) {
    return text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) || [];
  }

  function fold(term) {
    return /^[\x00-\x7f]*$/.test(term) ? term : term.normalize("NFKD").replace(/\p{M}/gu, "");
  }

  // The terms of one word: its stem, or the pairs of a CJK run.
  function wordTerms(word, stems) {
    if (!IS_CJK.test(word)) return [stemWord(word, stems)].filter(Boolean);  // not a lone mark
    const out = [];
    for (const run of word.match(CJK_RUN)) {
      if (!IS_CJK.test(run)) {
        const stem = stemWord(run, stems);
        if (stem) out.push(stem);
        continue;
      }
      const chars = [...run];
      if (chars.length === 1) out.push(run);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    }
    return out;
  }

  function stemWord(word, stems) {
    return fold(CYRILLIC.test(word) ? stems.cyrillic(word.replace(/ё/g, "е")) : stems.main(word));
  }

  async function stemsFor(idx, text) {
    return {
      main: await loadStemmer(idx.info.language),
      cyrillic: CYRILLIC.test(text) ? await loadStemmer("russian") : (word) => word,
    };
  }

  // A query's clauses: a word (its terms in a row when it is a CJK run) or a quoted phrase.
  function parse(text, stems) {
    const clauses = [];
    // A Mastodon handle's server is not indexed as part of it: "@maya@mastodon.social" is "@maya".
    text = text.replace(/(@[\p{L}\p{N}_.]+)@[\p{L}\p{N}.-]+\.[\p{L}]+/gu, "$1");
    const parts = text.split('"');
    parts.forEach((part, i) => {
      const quoted = i % 2 === 1;
      const found = words(part);
      if (quoted && found.length > 1) {
        clauses.push({ word: part.trim(), terms: found.flatMap((w) => wordTerms(w, stems)), phrase: true });  // never empty: two words
      } else {
        for (const word of found) {
          const terms = wordTerms(word, stems);
          if (terms.length) clauses.push({ word, terms, phrase: terms.length > 1 });
        }
      }
    });
    return clauses;
  }

  // --- loading the index only when the search is first opened -------------------------------

  let loading = null;
  function index() {
    loading ??= (async () => {
      const response = await fetch(texts.index + "meta.json");
      if (!response.ok) throw new Error(`search index: ${response.status}`);
      const info = await response.json();
      loadStemmer(info.language);
      return { info, chunks: new Map(), pages: new Map() };
    })().catch((error) => { loading = null; throw error; });
    return loading;
  }

  // The filters' values, fetched when a filter is first used: most searches use none.
  let filling = null;
  function fillFilters() {
    filling ??= fetch(texts.index + "filters.json").then((r) => (r.ok ? r.json() : {})).then(addFilterOptions, () => { filling = null; });
    return filling;
  }

  function addFilterOptions(counts) {
    for (const select of selects) {
      const values = Object.keys(counts[select.dataset.filter] || {});
      values.sort((a, b) => select.dataset.filter === "year" ? b.localeCompare(a) : a.localeCompare(b, undefined, { sensitivity: "base" }));
      for (const value of values) select.append(new Option(value, value));
    }
  }

  function fetchJSON(cache, name) {
    if (!cache.has(name)) cache.set(name, fetch(texts.index + name).then((r) => (r.ok ? r.json() : null)));
    return cache.get(name);
  }

  // --- postings: page number → Set of document numbers, or true for the whole page -----------

  // The chunks (one per part of the index) where `term` is or would be, and for a prefix the
  // chunks after it that start with it: [[part, chunk number], ...].
  function chunksOf(idx, term, prefix) {
    const out = [];
    idx.info.chunks.forEach((chunks, part) => {
      if (!chunks.length) return;
      let low = 0, high = chunks.length - 1, start = 0;
      while (low <= high) {  // the last chunk whose first term is not after `term`
        const mid = (low + high) >> 1;
        if (chunks[mid][0] <= term) { start = mid; low = mid + 1; } else high = mid - 1;
      }
      out.push([part, start]);
      for (let j = start + 1; prefix && j < chunks.length && j <= start + CHUNKS_PER_WORD - 1 && chunks[j][0].startsWith(term); j++) out.push([part, j]);
    });
    return out;
  }

  function chunkFile(idx, [part, j], kind) {
    return fetchJSON(idx.chunks, `${kind}/${idx.info.chunks[part][j][1]}.json`);
  }

  // Every term of the chunks where `term` is: {term: [postings of each part]}, for prefixes and typos.
  async function neighbours(idx, term, prefix) {
    const found = await Promise.all(chunksOf(idx, term, prefix).map((at) => chunkFile(idx, at, "chunks")));
    const out = {};
    for (const chunk of found) for (const [t, postings] of Object.entries(chunk || {})) (out[t] ??= []).push(postings);
    return out;
  }

  async function lookup(idx, term) {
    const found = new Map();
    for (const at of chunksOf(idx, term, false)) {
      const postings = (await chunkFile(idx, at, "chunks"))?.[term];
      if (postings) addPostings(found, postings);
    }
    return found;
  }

  // page → Map(document → Set of places) for a term, from the positions files.
  async function places(idx, term) {
    const out = new Map();
    for (const at of chunksOf(idx, term, false)) {
      const postings = (await chunkFile(idx, at, "chunks"))?.[term];
      if (!postings || !idx.info.chunks[at[0]][at[1]][2]) continue;
      const positions = (await chunkFile(idx, at, "positions"))?.[term] || [];
      let page = 0;
      for (let k = 0; k < postings.length; k += 2) {
        page += postings[k];
        const docs = decodeDocs(postings[k + 1]);
        const inPage = out.get(page) || new Map();
        if (docs !== true) docs.forEach((doc, i) => inPage.set(doc, new Set(decodePlaces(positions[k / 2]?.[i]))));
        out.set(page, inPage);
      }
    }
    return out;
  }

  function decodePlaces(spec) {
    if (spec === undefined) return [];
    if (typeof spec === "number") return [spec];
    let n = 0;
    return spec.map((gap) => (n += gap));
  }

  function addPostings(found, postings) {
    let page = 0;
    for (let k = 0; k < postings.length; k += 2) {
      page += postings[k];
      const docs = decodeDocs(postings[k + 1]);
      const have = found.get(page);
      if (docs === true || have === true) found.set(page, true);
      else if (have) docs.forEach((d) => have.add(d));
      else found.set(page, new Set(docs));
    }
  }

  function decodeDocs(spec) {
    if (spec === true) return true;
    if (typeof spec === "number") return [spec];
    if (typeof spec === "string") {
      const out = [];
      for (let c = 0; c < spec.length; c++) {
        const bits = B64.indexOf(spec[c]);
        for (let b = 0; b < 6; b++) if (bits & (1 << b)) out.push(c * 6 + b);
      }
      return out;
    }
    let n = 0;
    return spec.map((gap) => (n += gap));
  }

  function intersect(a, b) {
    const out = new Map();
    for (const [page, docs] of a) {
      const other = b.get(page);
      if (!other) continue;
      if (docs === true || other === true) out.set(page, docs === true ? other : docs);
      else {
        const both = new Set([...docs].filter((d) => other.has(d)));
        if (both.size) out.set(page, both);
      }
    }
    return out;
  }

  // Every word one edit (a letter dropped, added or changed, or two neighbours swapped) away.
  function edits(word, alphabet) {
    const chars = [...word], out = new Set();
    for (let i = 0; i <= chars.length; i++) {
      const head = chars.slice(0, i).join(""), tail = chars.slice(i).join(""), rest = chars.slice(i + 1).join("");
      if (i < chars.length) out.add(head + rest);
      if (i + 1 < chars.length) out.add(head + chars[i + 1] + chars[i] + chars.slice(i + 2).join(""));
      for (const c of alphabet) {
        out.add(head + c + tail);
        if (i < chars.length) out.add(head + c + rest);
      }
    }
    out.delete(word);
    return out;
  }

  // What a clause finds: {found, terms (the index's terms it matched), corrected}.
  async function match(idx, clause) {
    if (clause.phrase) return { found: await phrase(idx, clause.terms), terms: clause.terms };
    const [term] = clause.terms;
    const exact = await lookup(idx, term);
    if (exact.size) return { found: exact, terms: [term] };
    if (term.length < PREFIX_FROM) return { found: exact, terms: [] };
    const near = await neighbours(idx, term, true);
    const longer = Object.keys(near).filter((t) => t.startsWith(term) && !t.includes(":"));  // not a filter
    if (longer.length) return combine(longer, near);
    return typo(clause, near) || { found: exact, terms: [] };
  }

  // A word with no match, retried as the words one edit away whose terms are in its chunk: the
  // one in the most pages wins ("salery" → "salary").
  function typo(clause, near) {
    const word = words(clause.word).join("");
    if ([...word].length < TYPO_FROM) return null;
    const alphabet = new Set(Object.keys(near).filter((t) => !t.includes(":")).join(""));
    const pages = (t) => near[t].reduce((n, postings) => n + postings.length, 0);
    let best = null;
    for (const candidate of edits(word, alphabet)) {
      // One word stays one word: a letter of another script would split it into several terms.
      const terms = wordTerms(candidate, state.stems);
      const [term] = terms;
      if (terms.length !== 1 || !near[term] || term.includes(":")) continue;
      if (!best || pages(term) > pages(best.term) || (pages(term) === pages(best.term) && candidate < best.candidate)) best = { term, candidate };
    }
    return best && { ...combine([best.term], near), corrected: best.candidate };
  }

  function combine(terms, near) {
    const found = new Map();
    for (const t of terms) near[t].forEach((postings) => addPostings(found, postings));
    return { found, terms };
  }

  async function phrase(idx, terms) {
    const all = await Promise.all(terms.map((t) => places(idx, t)));
    const out = new Map();
    for (const [page, firstDocs] of all[0]) {
      const docs = new Set();
      for (const [doc, starts] of firstDocs) {
        const inRow = [...starts].some((p) => all.every((byPage, i) => byPage.get(page)?.get(doc)?.has(p + i)));
        if (inRow) docs.add(doc);
      }
      if (docs.size) out.set(page, docs);
    }
    return out;
  }

  function chosenFilters() {
    return selects.filter((s) => s.value).map((s) => `${s.dataset.filter}:${s.value}`);
  }

  // --- searching -----------------------------------------------------------------------------

  let generation = 0;  // a newer query makes older, slower answers obsolete
  let pending = [];    // [page number, documents] not shown yet
  let state = { terms: new Set(), words: new Set(), stems: null, count: 0, query: [], corrected: new Map() };

  async function search() {
    const current = ++generation;
    list.replaceChildren();
    more.hidden = true;
    if (!words(input.value).length) {
      meta.textContent = texts.placeholder;
      answered(current);
      return;
    }
    let idx;
    try {
      idx = await index();
    } catch (error) {
      meta.textContent = texts.unavailable;
      answered(current);
      return;
    }
    const stems = await stemsFor(idx, input.value);
    state.stems = stems;
    const clauses = parse(input.value, stems);
    if (!clauses.length) {
      meta.textContent = texts.none;
      answered(current);
      return;
    }
    const answers = await Promise.all(clauses.map((clause) => match(idx, clause)));
    const filters = await Promise.all(chosenFilters().map((f) => lookup(idx, f)));
    if (current !== generation) return;
    const found = [...answers.map((a) => a.found), ...filters].reduce(intersect);
    state = {
      terms: new Set(answers.flatMap((a) => a.terms)),
      words: new Set(clauses.flatMap((c) => words(c.word).map(fold))),
      stems,
      query: clauses.map((c) => c.word),
      corrected: new Map(answers.flatMap((a, i) => (a.corrected ? [[i, a.corrected]] : []))),
    };
    pending = rank(idx, found);
    state.count = pending.reduce((n, [, docs]) => n + docs.size, 0);
    announce();
    await showMore(current, idx);
    answered(current);
  }

  // The query the results on screen answer, for tests and tools that wait for them.
  function answered(current) {
    if (current === generation) box.dataset.answered = input.value;
  }

  // Chats and hand-written pages by how many of their documents match (the page itself counts
  // for three), newer chats first on ties; then people pages.
  function rank(idx, found) {
    const { chats, parts = [0] } = idx.info;
    const people = (page) => page >= chats && (parts.length < 2 || page < parts[1]);
    const score = ([page, docs]) => (people(page) ? -1e9 : 0) + docs.size + (docs.has(0) ? 2 : 0);
    const age = ([page]) => (page < chats ? chats - page : page);
    return [...found].sort((a, b) => score(b) - score(a) || age(a) - age(b));
  }

  // The count (announced: the element is aria-live), and the query as corrected, if it was.
  function announce() {
    const count = countText(state.count);
    if (!state.corrected.size) {
      meta.textContent = count;
      return;
    }
    const query = state.query.map((word, i) => state.corrected.get(i) || word);
    meta.textContent = `${texts.corrected.replace("#", query.join(" "))} · ${count}`;
  }

  function countText(n) {
    if (n === 0) return texts.none;
    return n === 1 ? texts.one : texts.other.replace("#", String(n));
  }

  // The next pages of results, until FIRST_HITS matches are shown: each page shows up to
  // HITS_PER_PAGE of them, and when that leaves room, the best pages show more.
  async function showMore(current, idx) {
    const batch = [];
    let hits = 0;
    while (pending.length && batch.length < MAX_PAGES_PER_BATCH && hits < FIRST_HITS) {
      const [page, docs] = pending.shift();
      const numbers = [...docs].sort((a, b) => a - b);
      batch.push({ page, numbers, shown: Math.min(HITS_PER_PAGE, numbers.length) });
      hits += batch.at(-1).shown;
    }
    for (const entry of batch) {
      const extra = Math.min(FIRST_HITS - hits, entry.numbers.length - entry.shown);
      if (extra > 0) { entry.shown += extra; hits += extra; }
    }
    const shown = await Promise.all(batch.map(({ page, numbers, shown }) => records(idx, page, numbers.slice(0, shown))));
    if (current !== generation) return;
    batch.forEach((entry, i) => shown[i] && list.append(renderPage(idx, entry, shown[i])));
    more.hidden = pending.length === 0;
  }

  // The records of some of a page's documents: {url, title, date, docs: Map(number → doc)},
  // from the blocks that hold them.
  async function records(idx, page, numbers) {
    const size = idx.info.block;
    const blocks = [...new Set(numbers.map((n) => Math.floor(n / size)))];
    const got = await Promise.all(blocks.map((b) => fetchJSON(idx.pages, `pages/${page}-${b}.json?v=${idx.info.build}`)));
    if (got.some((r) => !r)) return null;
    const docs = new Map();
    got.forEach((record, i) => record.docs.forEach((doc, j) => docs.set(blocks[i] * size + j, doc)));
    return { url: got[0].url, title: got[0].title, date: got[0].date, docs };
  }

  // --- results -------------------------------------------------------------------------------

  function renderPage(idx, { page, numbers, shown }, record) {
    const url = root + record.url;
    const item = element("li", "md-search-result__item");
    const date = record.date ? ` · ${record.date}` : "";
    item.append(link(url, "md-search-result__article--document", [element("div", "md-search-result__icon md-icon"), element("h1", "", record.title + date)]));
    const hits = element("div", "cd-search__hits");
    item.append(hits);
    appendHits(hits, url, numbers.slice(0, shown), record.docs);
    if (numbers.length > shown) {
      const rest = element("button", "cd-search__rest", texts.rest.replace("#", String(numbers.length - shown)));
      rest.type = "button";
      rest.addEventListener("click", async () => {
        rest.disabled = true;
        const all = await records(idx, page, numbers.slice(shown));
        rest.disabled = false;
        if (!all) return;
        const first = appendHits(hits, url, numbers.slice(shown), all.docs);
        rest.remove();
        first?.focus();
      });
      item.append(rest);
    }
    return item;
  }

  // The documents as links to their anchors, those holding a query word as written first.
  function appendHits(hits, url, numbers, docs) {
    const exact = (n) => words(docs.get(n)?.[2] || "").some((w) => state.words.has(fold(w)));
    const ordered = [...numbers.filter(exact), ...numbers.filter((n) => !exact(n))];
    let first = null;
    for (const number of ordered) {
      const [anchor, heading, text] = docs.get(number) || ["", "", ""];
      const parts = [];
      if (anchor && heading) parts.push(element("h2", "", heading));
      if (text) parts.push(excerpt(text));
      if (!parts.length) continue;
      const a = link(anchor ? `${url}#${anchor}` : url, "", parts);
      a.classList.add("cd-search__hit");
      hits.append(a);
      first ??= a;
    }
    return first;
  }

  function matches(word) {
    return words(word).some((w) => wordTerms(w, state.stems).some((t) => state.terms.has(t)));
  }

  function excerpt(text) {
    const all = text.split(/\s+/).filter(Boolean);
    const marked = all.map(matches);
    const first = Math.max(0, marked.indexOf(true));
    const from = Math.max(0, Math.min(first - 6, all.length - EXCERPT_WORDS));
    const to = Math.min(all.length, from + EXCERPT_WORDS);
    const p = element("p", "");
    if (from > 0) p.append("… ");
    for (let i = from; i < to; i++) {
      if (marked[i]) p.append(element("mark", "", all[i]));
      else p.append(all[i]);
      if (i < to - 1) p.append(" ");
    }
    if (to < all.length) p.append(" …");
    return p;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function link(href, articleClass, children) {
    const a = element("a", "md-search-result__link");
    a.href = href;
    const article = element("article", `md-search-result__article md-typeset ${articleClass}`.trim());
    article.append(...children);
    a.append(article);
    return a;
  }

  // --- opening, closing and the keyboard, as in Material --------------------------------------

  function open() {
    toggle.checked = true;
    input.focus();
    index().catch(() => {});
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  let timer = 0, searching = Promise.resolve();
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => (searching = search()), 120); });
  input.addEventListener("focus", () => { toggle.checked = true; index().catch(() => {}); });
  selects.forEach((select) => {
    select.addEventListener("change", search);
    for (const event of ["focus", "pointerdown", "mouseover"]) select.addEventListener(event, fillFilters, { once: true });
  });
  more.addEventListener("click", async () => showMore(generation, await index()));
  // Enter opens the first result's message (not its page's top), once the query typed is answered.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (box.dataset.answered !== input.value) {
      clearTimeout(timer);
      await (searching = search());
    }
    list.querySelector(".cd-search__hit")?.click();
  });
  form.addEventListener("reset", () => setTimeout(() => { search(); input.focus(); }));
  toggle.addEventListener("change", () => (toggle.checked ? open() : close()));
  // Following a result on the same page only changes the hash: close the search either way.
  list.addEventListener("click", (event) => { if (event.target.closest("a")) close(); });

  document.addEventListener("keydown", (event) => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const typing = event.target instanceof HTMLElement && event.target.closest("input, textarea, select, [contenteditable]");
    if (!toggle.checked) {
      if (!typing && ["/", "s", "f"].includes(event.key)) { event.preventDefault(); open(); }
      return;
    }
    if (event.key === "Escape") { event.preventDefault(); close(); return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const links = [input, ...list.querySelectorAll(".md-search-result__link")];
      const position = links.indexOf(document.activeElement);
      const next = links[(position + (event.key === "ArrowDown" ? 1 : links.length - 1)) % links.length];
      event.preventDefault();
      next.focus();
    }
  });
})();

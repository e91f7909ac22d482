/* chatdigest search: the chunked index of generator/searchindex.py shown in Material's search box.
 *
 * Opening the search fetches search/meta.json (the chunks' first terms and the filters); a query
 * fetches, for each of its words, the chunk that holds it, and then the records of the pages
 * whose results are shown, two at a time. Every document (a message, a question, a page) a
 * query's words are all in is a result, linked to its anchor; a page's results are shown
 * together under its title. Words match the index's terms by prefix, so "onboard" finds
 * "onboarding" while it is being typed, and common English endings are dropped from them first,
 * so "negotiating" finds "negotiated" too.
 *
 * Records are plain text (a message's "<script>" is there as those characters): only text nodes
 * are made from them, never innerHTML, so they stay text here too.
 */
(() => {
  "use strict";
  const box = document.querySelector("[data-cd-search]");
  const toggle = document.getElementById("__search"); // Material's checkbox: checked = search open
  if (!box || !toggle) return;

  const PAGES_PER_BATCH = 2;   // page records fetched per batch: one request each (a whole chat's text)
  const HITS_PER_PAGE = 5;
  const EXCERPT_WORDS = 28;
  const PREFIX_FROM = 3;       // shorter words match whole terms only: "a" would match half the index
  // English endings dropped from a query word, so "negotiating" also finds "negotiated": what is
  // left is matched as a prefix. The index keeps words whole; this is the only stemming.
  const ENDINGS = ["ings", "ers", "ing", "ies", "ied", "es", "ed", "ly", "er", "s"];
  const STEM_FROM = 4;         // letters left after an ending is dropped, at least
  const CHUNKS_PER_WORD = 3;   // at most this many chunks of terms starting with one word
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const input = box.querySelector(".md-search__input");
  const form = box.querySelector(".md-search__form");
  const meta = box.querySelector(".md-search-result__meta");
  const list = box.querySelector(".md-search-result__list");
  const more = box.querySelector(".cd-search__more");
  const selects = [...box.querySelectorAll("select[data-filter]")];
  const texts = box.dataset;
  let root = new URL(texts.root, document.baseURI).pathname;
  if (!root.endsWith("/")) root += "/";

  // The same words search.py's terms() makes of a text.
  function terms(text) {
    return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").match(/[\p{L}\p{N}]+/gu) || [];
  }

  // --- loading the index only when the search is first opened -------------------------------

  let loading = null;
  function index() {
    loading ??= (async () => {
      const response = await fetch(texts.index + "meta.json");
      if (!response.ok) throw new Error(`search index: ${response.status}`);
      const info = await response.json();
      fillFilters(info.filters);
      return { info, chunks: new Map(), pages: new Map() };
    })().catch((error) => { loading = null; throw error; });
    return loading;
  }

  function fillFilters(counts) {
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

  async function lookup(idx, term, prefix) {
    // The index comes in parts (the archive, then hand-written pages), each with its own chunks.
    const found = new Map();
    const parts = await Promise.all(idx.info.chunks.map((chunks) => chunksFor(idx, chunks, term, prefix)));
    for (const part of parts.flat()) {
      for (const [key, postings] of Object.entries(part || {})) {
        if (prefix ? key.startsWith(term) : key === term) addPostings(found, postings);
      }
    }
    return found;
  }

  function chunksFor(idx, chunks, term, prefix) {
    if (!chunks.length) return [];
    let low = 0, high = chunks.length - 1, start = 0;
    while (low <= high) {  // the last chunk whose first term is not after `term`
      const mid = (low + high) >> 1;
      if (chunks[mid][0] <= term) { start = mid; low = mid + 1; } else high = mid - 1;
    }
    const wanted = [start];
    for (let j = start + 1; prefix && j < chunks.length && wanted.length < CHUNKS_PER_WORD && chunks[j][0].startsWith(term); j++) wanted.push(j);
    return Promise.all(wanted.map((j) => fetchJSON(idx.chunks, chunks[j][1])));
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

  function chosenFilters() {
    return selects.filter((s) => s.value).map((s) => `${s.dataset.filter}:${s.value}`);
  }

  // --- searching -----------------------------------------------------------------------------

  let generation = 0;  // a newer query makes older, slower answers obsolete
  let pending = [];    // [page number, documents] not shown yet
  let words = [];

  async function search() {
    const current = ++generation;
    words = [...new Set(terms(input.value).map(stem))];
    list.replaceChildren();
    more.hidden = true;
    if (!words.length) {
      meta.textContent = texts.placeholder;
      return;
    }
    let idx;
    try {
      idx = await index();
    } catch (error) {
      meta.textContent = texts.unavailable;
      return;
    }
    const lookups = words.map((w) => lookup(idx, w, w.length >= PREFIX_FROM));
    lookups.push(...chosenFilters().map((f) => lookup(idx, f, false)));
    const found = (await Promise.all(lookups)).reduce(intersect);
    if (current !== generation) return;
    // Every entry is a Set: only filters cover whole pages (true), and a query has a word.
    // A page whose own title or summary matches first, then pages with more matches; then newer
    // chats (numbered oldest first), then other pages.
    pending = [...found];
    const score = ([, docs]) => docs.size + (docs.has(0) ? 1000 : 0);
    const chats = idx.info.chats;
    const age = ([page]) => (page < chats ? chats - page : page);
    pending.sort((a, b) => score(b) - score(a) || age(a) - age(b));
    meta.textContent = countText(pending.reduce((n, [, docs]) => n + docs.size, 0));
    await showMore(current, idx);
  }

  function countText(n) {
    if (n === 0) return texts.none;
    return n === 1 ? texts.one : texts.other.replace("#", String(n));
  }

  async function showMore(current, idx) {
    const batch = pending.splice(0, PAGES_PER_BATCH);
    const records = await Promise.all(batch.map(([page]) => fetchJSON(idx.pages, `pages/${page}.json?v=${idx.info.build}`)));
    if (current !== generation) return;
    batch.forEach(([, docs], i) => records[i] && list.append(renderPage(records[i], docs)));
    more.hidden = pending.length === 0;
  }

  // --- results -------------------------------------------------------------------------------

  function renderPage(record, docs) {
    const url = root + record.url;
    const numbers = [...docs].sort((a, b) => a - b);
    const item = element("li", "md-search-result__item");
    const date = record.date ? ` · ${record.date}` : "";
    item.append(link(url, "md-search-result__article--document", [element("div", "md-search-result__icon md-icon"), element("h1", "", record.title + date)]));
    for (const number of numbers.slice(0, HITS_PER_PAGE)) {
      const [anchor, heading, text] = record.docs[number] || ["", "", ""];
      const parts = [];
      if (anchor && heading) parts.push(element("h2", "", heading));
      if (text) parts.push(excerpt(text));
      if (parts.length) item.append(link(anchor ? `${url}#${anchor}` : url, "", parts));
    }
    if (numbers.length > HITS_PER_PAGE) {
      const rest = element("a", "cd-search__rest", `+ ${numbers.length - HITS_PER_PAGE} more on this page`);
      rest.href = url;
      item.append(rest);
    }
    return item;
  }

  function stem(word) {
    const ending = ENDINGS.find((e) => word.endsWith(e) && word.length - e.length >= STEM_FROM);
    return ending ? word.slice(0, -ending.length) : word;
  }

  function matches(word) {
    return terms(word).some((t) => words.some((w) => (w.length >= PREFIX_FROM ? t.startsWith(w) : t === w)));
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
    a.tabIndex = -1;
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

  let timer = 0;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 120); });
  input.addEventListener("focus", () => { toggle.checked = true; index().catch(() => {}); });
  selects.forEach((select) => select.addEventListener("change", search));
  more.addEventListener("click", async () => showMore(generation, await index()));
  form.addEventListener("submit", (event) => { event.preventDefault(); list.querySelector("a")?.click(); });
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

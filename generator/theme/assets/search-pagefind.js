/* chatdigest search: Pagefind's index (generator/search.py) shown in Material's search box.
 *
 * Pagefind ranks pages; a chat page holds hundreds of messages, so each page's hits are split
 * into per-message results here: every element with an id (a message card m-<id>, a heading)
 * starts a segment, and a hit belongs to the last segment that starts before it (Pagefind's
 * `anchors` give each id's word position). The person filter picks pages where the person
 * wrote; results then keep only the messages they wrote.
 *
 * Pagefind's content is plain text (a message's "<script>" is there as those characters): only
 * text nodes are made from it, never innerHTML, so it stays text here too.
 */
(() => {
  "use strict";
  const box = document.querySelector("[data-cd-search]");
  const toggle = document.getElementById("__search"); // Material's checkbox: checked = search open
  if (!box || !toggle) return;

  const PAGES_PER_BATCH = 2;   // fragments fetched per batch: each is one network request (a whole chat's text)
  const HITS_PER_PAGE = 5;
  const EXCERPT_WORDS = 28;
  const input = box.querySelector(".md-search__input");
  const form = box.querySelector(".md-search__form");
  const meta = box.querySelector(".md-search-result__meta");
  const list = box.querySelector(".md-search-result__list");
  const more = box.querySelector(".cd-search__more");
  const selects = [...box.querySelectorAll("select[data-filter]")];
  const texts = box.dataset;

  // --- loading Pagefind only when the search is first opened ---------------------------------

  let loading = null;
  function pagefind() {
    loading ??= (async () => {
      const bundle = new URL(texts.bundle + "pagefind.js", document.baseURI).href;
      const pf = await import(bundle);
      let root = new URL(texts.root, document.baseURI).pathname;
      if (!root.endsWith("/")) root += "/";
      // noWorker: Pagefind's web worker is a second 41 KB download of the same code; one query's
      // work is small enough for the main thread.
      await pf.options({ baseUrl: root, excerptLength: EXCERPT_WORDS, noWorker: true });
      // The drop-downs come from a small list written with the index (search.py): asking
      // Pagefind for them would download every filter's index before the first query.
      const lists = await fetch(texts.bundle + "chatdigest-filters.json");
      fillFilters(lists.ok ? await lists.json() : await pf.filters());
      return pf;
    })();
    return loading;
  }

  function fillFilters(counts) {
    for (const select of selects) {
      const values = Object.keys(counts[select.dataset.filter] || {});
      values.sort((a, b) => select.dataset.filter === "year" ? b.localeCompare(a) : a.localeCompare(b, undefined, { sensitivity: "base" }));
      for (const value of values) select.append(new Option(value, value));
    }
  }

  function chosenFilters() {
    const filters = {};
    for (const select of selects) if (select.value) filters[select.dataset.filter] = select.value;
    return filters;
  }

  // --- searching -----------------------------------------------------------------------------

  let generation = 0;  // a newer query makes older, slower answers obsolete
  let pending = [];    // results not shown yet
  let filters = {};

  async function search() {
    const current = ++generation;
    const query = input.value.trim();
    filters = chosenFilters();
    list.replaceChildren();
    more.hidden = true;
    if (!query) {
      meta.textContent = texts.placeholder;
      return;
    }
    const pf = await pagefind();
    const found = await pf.search(query, { filters });
    if (current !== generation) return;
    pending = found.results.slice();
    meta.textContent = countText(pending.length);
    await showMore(current);
  }

  function countText(n) {
    if (n === 0) return texts.none;
    return n === 1 ? texts.one : texts.other.replace("#", String(n));
  }

  async function showMore(current) {
    // With a person filter a page may hold no hit by that person: then fetch the next batch.
    let shown = 0;
    while (pending.length && shown === 0) {
      const batch = pending.splice(0, PAGES_PER_BATCH);
      const pages = await Promise.all(batch.map((result) => result.data()));
      if (current !== generation) return;
      for (const page of pages) {
        const item = renderPage(page);
        if (item) { list.append(item); shown++; }
      }
    }
    more.hidden = pending.length === 0;
    if (list.childElementCount === 0) meta.textContent = texts.none;
  }

  // --- per-message results -------------------------------------------------------------------

  function segmentsOf(page) {
    const words = page.content.split(/\s+/);
    const anchors = page.anchors.filter((a) => a.id).sort((a, b) => a.location - b.location);
    const groups = new Map();
    for (const location of [...page.locations].sort((a, b) => a - b)) {
      let index = -1;
      while (index + 1 < anchors.length && anchors[index + 1].location <= location) index++;
      const anchor = anchors[index] || null;
      const end = anchors.slice(index + 1).find((a) => a.location > (anchor ? anchor.location : -1));
      const key = anchor ? anchor.id : "";
      if (!groups.has(key)) groups.set(key, { anchor, start: anchor ? anchor.location : 0, end: end ? end.location : words.length, hits: [] });
      groups.get(key).hits.push(location);
    }
    return { words, groups: [...groups.values()] };
  }

  function authorOf(words, start, people) {
    // A message card's text starts with its author's name (the card's person link).
    for (const name of people) {
      const parts = name.split(/\s+/);
      if (parts.every((part, i) => words[start + i] === part)) return { name, length: parts.length };
    }
    return null;
  }

  function renderPage(page) {
    const { words, groups } = segmentsOf(page);
    const people = [...(page.filters.person || [])].sort((a, b) => b.split(/\s+/).length - a.split(/\s+/).length);
    const hits = [];
    for (const group of groups) {
      const isMessage = group.anchor && group.anchor.id.startsWith("m-");
      const author = isMessage ? authorOf(words, group.start, people) : null;
      if (filters.person && (!author || author.name !== filters.person)) continue;
      const isTitle = !group.anchor || group.anchor.element === "h1";
      const title = author ? author.name : isTitle ? "" : group.anchor.text || "";
      // The excerpt starts after what the title already shows (author name, heading text).
      const skip = author ? author.length : title ? title.split(/\s+/).length : 0;
      hits.push({
        url: isTitle ? page.url : `${page.url}#${group.anchor.id}`,
        title,
        excerpt: excerpt(words, group.start + skip, group.end, group.hits),
      });
    }
    if (hits.length === 0) return null;
    const item = element("li", "md-search-result__item");
    const date = page.meta.date ? ` · ${page.meta.date}` : "";
    item.append(link(page.url, "md-search-result__article--document", [element("div", "md-search-result__icon md-icon"), element("h1", "", (page.meta.title || page.url) + date)]));
    for (const hit of hits.slice(0, HITS_PER_PAGE)) {
      const parts = [];
      if (hit.title) parts.push(element("h2", "", hit.title));
      if (hit.excerpt.textContent) parts.push(hit.excerpt);
      item.append(link(hit.url, "", parts));
    }
    if (hits.length > HITS_PER_PAGE) {
      const rest = element("a", "cd-search__rest", `+ ${hits.length - HITS_PER_PAGE} more on this page`);
      rest.href = page.url;
      item.append(rest);
    }
    return item;
  }

  function excerpt(words, start, end, hits) {
    const marked = new Set(hits);
    if (start >= end) return element("p", "");
    const first = hits.find((h) => h >= start) ?? start;
    const from = Math.max(start, Math.min(first - 6, end - EXCERPT_WORDS));
    const to = Math.min(end, from + EXCERPT_WORDS);
    const p = element("p", "");
    if (from > start) p.append("… ");
    for (let i = from; i < to; i++) {
      const word = (words[i] || "") + (i < to - 1 ? " " : "");
      if (marked.has(i)) p.append(element("mark", "", word.trimEnd()), i < to - 1 ? " " : "");
      else p.append(word);
    }
    if (to < end) p.append(" …");
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
    pagefind();
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  let timer = 0;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 120); });
  input.addEventListener("focus", () => { toggle.checked = true; pagefind(); });
  selects.forEach((select) => select.addEventListener("change", search));
  more.addEventListener("click", () => showMore(generation));
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

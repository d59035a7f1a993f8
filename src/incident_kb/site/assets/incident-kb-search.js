/*
 * Site search over the Pagefind index in pagefind/, shown in Material's search panel.
 *
 * Material's own search downloads one JSON index of every page before its first result:
 * tens of megabytes for thousands of postmortems. Pagefind's index is split into chunks and
 * the browser fetches only the chunks a query needs, so the first result stays fast however
 * large the knowledge base grows. Everything is fetched from the site itself.
 *
 * Page text reaches the screen only as text nodes: titles are set with textContent, and
 * excerpts are parsed into an inert document from which only text and <mark> are copied.
 */
(() => {
  "use strict";

  const root = document.querySelector("[data-incident-kb-search]");
  const toggle = document.getElementById("__search");
  if (!root || !toggle) return;

  const form = root.querySelector("form");
  const input = root.querySelector(".md-search__input");
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const scrollwrap = root.querySelector(".md-search__scrollwrap");
  const BATCH = 10;

  let translations = {};
  try {
    translations = JSON.parse(document.getElementById("__config").textContent).translations;
  } catch (_) {
    translations = {};
  }
  const say = (key, fallback) => translations[key] || fallback;

  const bundle = new URL(root.dataset.bundle, document.baseURI).href;
  // base_url is "." or ".." on most pages and "/" on the theme's 404 page: one slash after it.
  const site = new URL(root.dataset.base.replace(/\/+$/, "") + "/", document.baseURI);
  const siteRoot = site.pathname;

  /* A large site's index comes in several bundles (pagefind/bundles.json lists them, the
     first one's script runs the search); the others are merged into one search. */
  const bundles = async () => {
    try {
      const response = await fetch(bundle + "bundles.json");
      if (response.ok) {
        const listed = (await response.json()).bundles;
        if (Array.isArray(listed) && listed.length) {
          return listed.map((path) => new URL(path, site).href);
        }
      }
    } catch (_) {
      /* no manifest: the one bundle in pagefind/ */
    }
    return [bundle];
  };

  let engine = null;
  const load = () => {
    engine ??= (async () => {
      const [first, ...more] = await bundles();
      const pagefind = await import(first + "pagefind.js");
      await pagefind.options({ baseUrl: siteRoot, excerptLength: 24 });
      // All at once: each merge fetches its bundle's entry and metadata, sharing the
      // first bundle's WebAssembly.
      await Promise.all(more.map((other) => pagefind.mergeIndex(other, { baseUrl: siteRoot })));
      await pagefind.init();
      return pagefind;
    })();
    return engine;
  };

  let generation = 0;
  let results = [];
  let shown = 0;
  let loading = false;

  const countText = (n) => {
    if (n === 0) return say("search.result.none", "No matching documents");
    if (n === 1) return say("search.result.one", "1 matching document");
    return say("search.result.other", "# matching documents").replace("#", String(n));
  };

  /* An excerpt's text and highlights, never its markup. */
  const excerptInto = (target, html) => {
    const parsed = new DOMParser().parseFromString(html || "", "text/html");
    for (const node of parsed.body.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.append(mark);
      } else {
        target.append(document.createTextNode(node.textContent));
      }
    }
  };

  /* A result leads to a page of this site only: a URL the index holds is resolved against
     the site and dropped when it names another origin (browsers read "/\\host" as "//host"). */
  const local = (url) => {
    try {
      const resolved = new URL(url, site);
      return resolved.origin === site.origin ? url : null;
    } catch (_) {
      return null;
    }
  };

  const item = (data) => {
    const href = local(data.url);
    if (href === null) return null;
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = href;
    link.tabIndex = -1;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const title = document.createElement("h1");
    title.textContent = (data.meta && data.meta.title) || data.url;
    const excerpt = document.createElement("p");
    excerptInto(excerpt, data.excerpt);
    article.append(title, excerpt);
    link.append(article);
    li.append(link);
    return li;
  };

  const more = async () => {
    if (loading || shown >= results.length) return;
    loading = true;
    const mine = generation;
    const batch = results.slice(shown, shown + BATCH);
    try {
      // Fetched together, shown in order as soon as each and those before it have come:
      // the first result does not wait for the tenth.
      const pages = batch.map((result) => result.data());
      for (const page of pages) {
        const data = await page;
        if (mine !== generation) return;
        const entry = item(data);
        if (entry !== null) list.append(entry);
        shown += 1;
      }
    } finally {
      loading = false;
    }
    if (mine === generation && scrollwrap.scrollHeight <= scrollwrap.clientHeight) {
      await more(); // the panel is not full yet: nothing to scroll, so show the next batch
    }
  };

  const run = async () => {
    const query = input.value.trim();
    const mine = ++generation;
    if (!query) {
      results = [];
      shown = 0;
      list.replaceChildren();
      meta.textContent = say("search.result.placeholder", "Type to start searching");
      return;
    }
    let search;
    try {
      const pagefind = await load();
      search = await pagefind.debouncedSearch(query, {}, 60);
    } catch (error) {
      meta.textContent = "Search is unavailable: the index in pagefind/ could not be loaded.";
      throw error;
    }
    if (search === null || mine !== generation) return; // a newer query superseded this one
    results = search.results;
    shown = 0;
    list.replaceChildren();
    meta.textContent = countText(results.length);
    await more();
  };

  const open = () => {
    toggle.checked = true;
    input.focus();
    load();
  };
  const close = () => {
    toggle.checked = false;
    input.blur();
  };
  const links = () => [...list.querySelectorAll("a.md-search-result__link")];

  input.addEventListener("input", run);
  input.addEventListener("focus", () => {
    toggle.checked = true;
    load();
  });
  toggle.addEventListener("change", () => (toggle.checked ? open() : close()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = links()[0];
    if (first) window.location.href = first.href;
  });
  form.addEventListener("reset", () => {
    setTimeout(() => {
      run();
      input.focus();
    });
  });
  scrollwrap.addEventListener("scroll", () => {
    if (scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 48) more();
  });
  list.addEventListener("click", (event) => {
    if (event.target.closest("a")) toggle.checked = false;
  });

  const editable = (element) =>
    element instanceof HTMLElement &&
    (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!toggle.checked) {
      if (["/", "s", "f", "S", "F"].includes(event.key) && !editable(event.target)) {
        event.preventDefault();
        open();
      }
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const all = [input, ...links()];
      const at = all.indexOf(document.activeElement);
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = all[Math.max(0, Math.min(all.length - 1, at + step))];
      if (next) {
        event.preventDefault();
        next.focus();
        if (next !== input && next === all[all.length - 1]) more();
      }
    }
  });
})();

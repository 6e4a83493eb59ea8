// Pickers (core/widgets.py): type a name, pinyin or initials; htmx fetches the matches
// from /pick/<kind>/; arrows move, Enter or a tap chooses, Escape closes. The hidden
// input holds the choice; the box shows its name. Without this script the box is a plain
// search field that the server resolves on submit.
(function () {
  "use strict";
  const DELAY = 200;

  function setup(root) {
    if (root.dataset.pickerReady) return;
    root.dataset.pickerReady = "1";
    const box = root.querySelector("input[role=combobox]");
    const value = root.querySelector("input[data-picker-value]");
    const list = root.querySelector("[role=listbox]");
    let timer = null;
    let chosen = box.value;
    let asked = "";

    function options() {
      return Array.from(list.querySelectorAll("[role=option]"));
    }
    function active() {
      return list.querySelector("[role=option][aria-selected=true]");
    }
    function open() {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }
    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }
    function mark(option) {
      options().forEach((o) => o.setAttribute("aria-selected", o === option ? "true" : "false"));
      if (option) {
        box.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }
    function choose(option) {
      value.value = option.dataset.value;
      box.value = option.dataset.label;
      chosen = box.value;
      close();
      value.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function search() {
      const text = box.value.trim();
      if (!text) {
        list.replaceChildren();
        close();
        return;
      }
      if (text === asked && list.childElementCount) {
        open();
        return;
      }
      asked = text;
      const url = root.dataset.url + "&listbox=" + encodeURIComponent(list.id) + "&q=" + encodeURIComponent(text);
      htmx.ajax("GET", url, { target: list, swap: "innerHTML" }).then(() => {
        if (box.value.trim() !== text) return;  // typed on meanwhile: the next answer counts
        open();
        const first = options()[0];
        if (first) mark(first);
      });
    }

    box.addEventListener("input", () => {
      if (box.value !== chosen) value.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    box.addEventListener("keydown", (event) => {
      const all = options();
      const current = active();
      const index = all.indexOf(current);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          search();
          return;
        }
        if (!all.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        mark(all[(index + step + all.length) % all.length]);
      } else if (event.key === "Enter") {
        if (!list.hidden && current) {
          event.preventDefault();
          choose(current);
        } else if (box.value.trim() && !value.value) {
          event.preventDefault();  // nothing chosen yet: show the matches instead of submitting
          clearTimeout(timer);
          search();
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });
    // pointerdown, not click: the box's blur would close the list before a click lands.
    list.addEventListener("pointerdown", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      choose(option);
    });
    box.addEventListener("blur", () => setTimeout(close, 150));
    box.addEventListener("search", () => {
      if (!box.value) {
        value.value = "";
        chosen = "";
      }
    });
  }

  function setupAll(scope) {
    (scope || document).querySelectorAll("[data-picker]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", () => setupAll(document));
  document.addEventListener("htmx:load", (event) => setupAll(event.detail.elt));
})();

// Small behaviours that need no inline script (the CSP forbids inline scripts).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// A partial that ends on the login page (the session ran out): go there as a whole page
// instead of drawing the login form inside a tree.
document.addEventListener("htmx:beforeSwap", (event) => {
  const url = event.detail.xhr && event.detail.xhr.responseURL;
  if (url && new URL(url).pathname.startsWith("/accounts/login/")) {
    event.detail.shouldSwap = false;
    window.location.assign(url);
  }
});

// A level of a tree that failed to load says so, instead of "loading" for ever.
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target && target.classList.contains("tree-children")) {
    target.removeAttribute("aria-busy");
    const item = document.createElement("li");
    item.className = "errors";
    item.textContent = document.body.dataset.loadError || "!";
    target.replaceChildren(item);
  }
});

// The workspace's access to the JSON API: the bearer token of this tab, requests in the
// page's language, problem documents turned into errors, and the page's messages.
(function () {
  "use strict";
  var TOKEN = "sijie.token";
  var USER = "sijie.user";
  var messages = JSON.parse((document.getElementById("messages") || { textContent: "{}" }).textContent);
  var lang = document.documentElement.lang === "en" ? "en" : "zh";

  function msg(key, values) {
    var text = messages[key] !== undefined ? messages[key] : key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem || {};
    this.message = (problem && (problem.detail || problem.title)) || String(status);
  }

  function token() { return sessionStorage.getItem(TOKEN); }

  function signIn(username, password) {
    var body = new URLSearchParams({ username: username, password: password });
    return fetch("/token", { method: "POST", body: body, headers: { "Accept-Language": lang } })
      .then(function (r) {
        return r.json().then(function (doc) {
          if (!r.ok) { throw new ApiError(r.status, doc); }
          sessionStorage.setItem(TOKEN, doc.access_token);
          return request("GET", "/users/me").then(function (me) {
            sessionStorage.setItem(USER, JSON.stringify(me));
            return me;
          });
        });
      });
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
    location.href = "/login";
  }

  function toLogin() {
    location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // a request with the token; JSON in and out unless a FormData body or raw response is asked
  function request(method, url, body, options) {
    options = options || {};
    var headers = Object.assign({ "Accept-Language": lang }, options.headers || {});
    if (token()) { headers.Authorization = "Bearer " + token(); }
    var init = { method: method, headers: headers };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      if (r.status === 401 && !options.noRedirect) { toLogin(); throw new ApiError(401); }
      if (options.raw) {
        if (!r.ok) { return r.json().then(function (p) { throw new ApiError(r.status, p); }); }
        return r;
      }
      return r.text().then(function (text) {
        var doc = text ? JSON.parse(text) : null;
        if (!r.ok) { throw new ApiError(r.status, doc); }
        if (options.withHeaders) { return { body: doc, headers: r.headers }; }
        return doc;
      });
    });
  }

  function me() {
    var kept = sessionStorage.getItem(USER);
    if (!token()) { toLogin(); return Promise.reject(new ApiError(401)); }
    if (kept) { return Promise.resolve(JSON.parse(kept)); }
    return request("GET", "/users/me").then(function (user) {
      sessionStorage.setItem(USER, JSON.stringify(user));
      return user;
    });
  }

  function pageData() {
    var el = document.getElementById("page-data");
    return el ? JSON.parse(el.textContent) : {};
  }

  function number(value, digits) {
    if (value === null || value === undefined) { return "—"; }
    return Number(value).toLocaleString(lang === "en" ? "en" : "zh-CN",
      { maximumFractionDigits: digits || 0, minimumFractionDigits: digits || 0 });
  }

  window.sijieApi = { msg: msg, request: request, signIn: signIn, signOut: signOut, me: me,
                      pageData: pageData, number: number, lang: lang, ApiError: ApiError };
}());

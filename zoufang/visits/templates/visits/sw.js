/* 我的走访 offline: the page and its assets from the network when there is one, from the cache when not.
   Unsent records live in the page's localStorage, not here. */
var CACHE = "{{ cache }}";  /* visits/on_phone.py: 退出 drops what starts with its prefix */
self.addEventListener("install", function (event) { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  var cacheable = url.pathname === "/me/" || url.pathname.indexOf("/static/") === 0;
  if (!cacheable) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    } else if (url.pathname === "/me/") {
      caches.delete(CACHE);  // logged out (sent to the login page): keep no one's list on the phone
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      if (!hit) { return Response.error(); }
      if (url.pathname !== "/me/") { return hit; }
      // The page is told it is the copy kept at its render, not today's: it says so (visits.js, #offline-copy).
      return hit.text().then(function (html) {
        var headers = new Headers(hit.headers);
        headers.delete("Content-Encoding");
        headers.delete("Content-Length");
        return new Response(html.replace('data-served="network"', 'data-served="copy"'),
                            {status: hit.status, statusText: hit.statusText, headers: headers});
      });
    });
  }));
});

// Maps of the citizens' complaint pages (Leaflet, vendored). The page carries its map settings in
// <script id="kp-map-config" type="application/json">: the city's centre, its outline (GeoJSON), its
// kecamatan centroids, an optional tile URL (none when the installation is offline: then the outline
// and the kecamatan names are the background) and the LAPOR! colours.
//
//   [data-kp-picker]  the report form's map: a click or "use my location" sets the pin, which fills
//                     #id_lat / #id_lng and fires "kp-pin" on <body> (htmx then asks for the place
//                     and for similar reports nearby). A pin already in the inputs (after an error)
//                     is put back.
//   [data-kp-list]    the public map: markers from <script id="kp-markers">, coloured by status.
//   [data-kp-point]   one report's place (data-lat, data-lng, data-colour).
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function baseMap(el, cfg) {
    var map = L.map(el, { scrollWheelZoom: false });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    }
    var outline = null;
    if (cfg.boundary) {
      outline = L.geoJSON(cfg.boundary, {
        interactive: false, style: { color: "#0b5394", weight: 2, fillColor: "#0b5394", fillOpacity: 0.04 },
      }).addTo(map);
    }
    // the view first: permanent labels need it
    if (outline && outline.getBounds().isValid()) {
      map.fitBounds(outline.getBounds());
    } else if (cfg.lat != null && cfg.lng != null) {
      map.setView([cfg.lat, cfg.lng], 13);
    } else {
      map.setView([-2.5, 118], 5);
    }
    if (!cfg.tiles) {
      // kecamatan names as plain text in a pane under the reports' markers
      var labels = map.createPane("kp-labels");
      labels.style.zIndex = 350;
      var toggle = function () { labels.style.display = map.getZoom() >= 12 ? "" : "none"; };  // too crowded below
      map.on("zoomend", toggle);
      toggle();
      (cfg.districts || []).forEach(function (d) {
        L.marker([d.lat, d.lng], { pane: "kp-labels", interactive: false, keyboard: false,
                                   icon: L.divIcon({ className: "kp-district-label", html: esc(d.name),
                                                     iconSize: null, iconAnchor: [0, 8] }) }).addTo(map);
      });
    }
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function picker(el, cfg) {
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    var status = document.getElementById("kp-loc-status");
    var map = baseMap(el, cfg);
    var marker = null;

    function place(latlng, zoom) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: el.dataset.pinTitle || "",
                                    alt: el.dataset.pinTitle || "" }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), false); });
      } else {
        marker.setLatLng(latlng);
      }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (zoom) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
      document.body.dispatchEvent(new CustomEvent("kp-pin"));
    }

    map.on("click", function (e) { place(e.latlng, false); });
    if (lat.value && lng.value) {
      var saved = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
      // after htmx is listening: the place and the nearby reports come back with the pin
      window.addEventListener("load", function () { place(saved, true); });
    }
    var locate = document.getElementById("kp-locate");
    if (locate) {
      if (!navigator.geolocation) { locate.hidden = true; }
      locate.addEventListener("click", function () {
        status.textContent = locate.dataset.finding;
        navigator.geolocation.getCurrentPosition(function (pos) {
          status.textContent = locate.dataset.found;
          place(L.latLng(pos.coords.latitude, pos.coords.longitude), true);
        }, function () {
          status.textContent = locate.dataset.failed;
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  function listMap(el, cfg) {
    var map = baseMap(el, cfg);
    var points = readJSON("kp-markers") || [];
    var layer = L.featureGroup(points.map(function (m) {
      return L.circleMarker([m.lat, m.lng], {
        radius: 8, weight: 2, color: "#fff", fillColor: cfg.colours[m.c] || "#6c757d", fillOpacity: 1,
      }).bindPopup('<a href="' + esc(m.u) + '"><strong>' + esc(m.t) + "</strong></a><br>" + esc(m.k) +
                   "<br>" + esc(m.s));
    })).addTo(map);
    if (points.length && !cfg.boundary) { map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 16 }); }
  }

  function pointMap(el, cfg) {
    var map = baseMap(el, cfg);
    var latlng = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    L.circleMarker(latlng, { radius: 10, weight: 3, color: "#fff", fillOpacity: 1,
                             fillColor: cfg.colours[el.dataset.colour] || "#6c757d" }).addTo(map);
    map.setView(latlng, cfg.tiles ? 16 : 14);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var cfg = readJSON("kp-map-config");
    if (!cfg || !window.L) { return; }
    document.querySelectorAll("[data-kp-picker]").forEach(function (el) { picker(el, cfg); });
    document.querySelectorAll("[data-kp-list]").forEach(function (el) { listMap(el, cfg); });
    document.querySelectorAll("[data-kp-point]").forEach(function (el) { pointMap(el, cfg); });
  });
})();

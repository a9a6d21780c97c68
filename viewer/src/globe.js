// The globe: a configured imagery / terrain server when the API names one (the terrain: a
// configured server, else the city's imported terrain), else the Natural Earth II imagery
// bundled with CesiumJS over a plain ellipsoid (no ion, no internet).
const Cesium = window.Cesium;

export function createViewer(container, config) {
  Cesium.Ion.defaultAccessToken = "";
  const imagery = config.imagery
    ? new Cesium.UrlTemplateImageryProvider({
        url: config.imagery.url, maximumLevel: config.imagery.max_zoom ?? 19,
        credit: config.imagery.credit ? new Cesium.Credit(config.imagery.credit) : undefined })
    : Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"));
  const viewer = new Cesium.Viewer(container, {
    baseLayer: config.imagery ? new Cesium.ImageryLayer(imagery) : Cesium.ImageryLayer.fromProviderAsync(imagery),
    terrain: config.terrain
      ? new Cesium.Terrain(Cesium.CesiumTerrainProvider.fromUrl(config.terrain, { requestVertexNormals: true }))
      : undefined,
    baseLayerPicker: false, geocoder: false, timeline: false, animation: false,
    sceneModePicker: false, navigationHelpButton: false, fullscreenButton: false,
    infoBox: false, selectionIndicator: false, homeButton: false,
    shadows: false, terrainShadows: Cesium.ShadowMode.RECEIVE_ONLY,
    contextOptions: { webgl: { preserveDrawingBuffer: true } },  // screenshots and tests
  });
  viewer.scene.globe.depthTestAgainstTerrain = Boolean(config.terrain);
  return viewer;
}

// Where the camera goes first: the busiest square kilometre of buildings, from the API.
export function flyHome(viewer, config, duration = 0) {
  if (!config.home) return;
  const [w, s, e, n] = config.home;
  const centre = Cesium.Cartesian3.fromDegrees((w + e) / 2, (s + n) / 2, config.home_ground ?? 0);  // on the ground
  const radius = Math.max(300, Cesium.Cartesian3.distance(
    Cesium.Cartesian3.fromDegrees(w, s), Cesium.Cartesian3.fromDegrees(e, n)) / 2);
  viewer.camera.flyToBoundingSphere(new Cesium.BoundingSphere(centre, radius), {
    offset: new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-35), radius * 1.6), duration });
}

// The point on the ground at a longitude and latitude: on the terrain where its tiles are
// loaded, else on the ellipsoid.
export function groundPoint(viewer, lon, lat) {
  const height = viewer.scene.globe.getHeight(Cesium.Cartographic.fromDegrees(lon, lat)) ?? 0;
  return Cesium.Cartesian3.fromDegrees(lon, lat, height);
}

// The point of the ground under a screen position: on the terrain when there is one (once
// its tiles are fine enough to trust), else on the ellipsoid — never on a coarse tile's chord.
export function pickGround(viewer, position) {
  const scene = viewer.scene;
  if (!(scene.terrainProvider instanceof Cesium.EllipsoidTerrainProvider)) {
    const ray = viewer.camera.getPickRay(position);
    const point = ray && scene.globe.pick(ray, scene);
    if (point) return point;
  }
  return viewer.camera.pickEllipsoid(position);
}

// The point of the model under a screen position: a building's surface, else the ground.
export function pickPoint(viewer, position) {
  const scene = viewer.scene;
  if (scene.pickPositionSupported && scene.pick(position) instanceof Cesium.Cesium3DTileFeature) {
    const point = scene.pickPosition(position);
    if (Cesium.defined(point)) return point;
  }
  return pickGround(viewer, position);
}

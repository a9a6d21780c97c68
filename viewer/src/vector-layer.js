// A layer of the API's vector tiles (/tiles/{layer}/{z}/{x}/{y}.mvt, made by ST_AsMVT),
// decoded with @mapbox/vector-tile and drawn into canvases that CesiumJS lays over the globe
// (and the terrain, when there is one) as an imagery layer. Each layer says how to draw a
// feature; this module fetches, decodes, and swaps the layer when the data change.
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";

const Cesium = window.Cesium;
const MIN_ZOOM = 12;  // the API serves empty tiles below
const SIZE = 256;

function blank() {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  return canvas;
}

// The path of a feature's geometry on a tile's canvas (polygons: rings, closed; lines: open).
export function tracePath(context, feature, scale) {
  context.beginPath();
  for (const part of feature.loadGeometry()) {
    part.forEach((point, j) => (j ? context.lineTo : context.moveTo).call(context, point.x * scale, point.y * scale));
    if (feature.type === 3) context.closePath();
  }
}

// name: the collection; drawFeature(context, feature, scale, level) draws one feature and
// returns the key to remember it by in handle.drawn (with what it was drawn as), or nothing.
export function createVectorLayer(viewer, name, drawFeature, onProblem) {
  const drawn = new Map();  // key → how it was drawn (for tests and legends)
  const handle = { layer: null, drawn };
  function newLayer(show) {
    const provider = new Cesium.UrlTemplateImageryProvider({
      url: `/tiles/${name}/{z}/{x}/{y}.mvt`, tilingScheme: new Cesium.WebMercatorTilingScheme(),
      tileWidth: SIZE, tileHeight: SIZE, maximumLevel: 20, hasAlphaChannel: true,
      credit: `citymodel ${name}`,
    });
    provider.requestImage = (x, y, level) => drawTile(x, y, level);
    return new Cesium.ImageryLayer(provider, { show });
  }
  async function drawTile(x, y, level) {
    if (level < MIN_ZOOM) return blank();
    let response;
    try {
      response = await fetch(`/tiles/${name}/${level}/${x}/${y}.mvt`);
    } catch (error) {
      onProblem();
      return blank();
    }
    if (!response.ok) {
      onProblem();
      return blank();
    }
    const tile = new VectorTile(new PbfReader(await response.arrayBuffer()));
    const layer = tile.layers[name];
    if (!layer) return blank();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIZE;
    const context = canvas.getContext("2d");
    const scale = SIZE / layer.extent;
    for (let i = 0; i < layer.length; i++) {
      const feature = layer.feature(i);
      const key = drawFeature(context, feature, scale, level);
      if (key !== undefined) drawn.set(key[0], key[1]);
    }
    return canvas;
  }
  // The data changed: draw the tiles again (a new layer in the old one's place; the tiles
  // are revalidated by their ETags, so only changed ones are made again).
  handle.refresh = () => {
    const old = handle.layer;
    const index = viewer.imageryLayers.indexOf(old);
    handle.layer = newLayer(old.show);
    drawn.clear();
    viewer.imageryLayers.add(handle.layer, index);
    viewer.imageryLayers.remove(old, true);
  };
  handle.layer = newLayer(false);
  viewer.imageryLayers.add(handle.layer);
  return handle;
}

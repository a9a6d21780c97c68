"""Where each region of Russia is: a generous box per cadastral okrug, to catch wrong CRSs.

The first two digits of a cadastral number (``77:01:0001001:1``) name the cadastral
okrug, which is the federal subject (77 Moscow, 50 Moscow oblast, 78 St Petersburg …).
A parcel, building or zone whose number names a region and whose geometry lands
outside that region's box was imported with a wrong CRS: latitude and longitude swapped,
another UTM zone, metres taken for degrees. :func:`misplaced` says so, with the likely
cause, and the importers refuse the feature.

The boxes are the extents of the federal subjects' boundaries in geoBoundaries
(gbOpen RUS ADM1, CC BY 4.0: Runfola et al. 2020, PLoS ONE 15(4): e0231866), as
simplified in the public repository mgastner/cartogram-cpp
(``sample_data/russia_by_federal_subjects_since_2008``, commit abe8b45f), rounded to
0.01° and widened by :data:`MARGIN_DEG` on every side. Boxes of regions that span the
antimeridian (Chukotka) have an east edge above 180°. Okrugs of subjects merged since
2005 (80 Aginsky → 75, 81 Komi-Permyak → 59, 82 Koryak → 41, 84 Taimyr and 88 Evenk →
24, 85 Ust-Orda → 38) keep their numbers in the cadastre and take the box of the
subject they joined. Crimea (90) and Sevastopol (91) are not in that data set; their
boxes are drawn by hand from their coastline. A number naming any other okrug is not
checked (the CRS's area of use still is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MARGIN_DEG = 0.3  # simplified boundaries, islands, spits: be generous


@dataclass(frozen=True)
class Region:
    code: str  # cadastral okrug, two digits
    name: str
    west: float
    south: float
    east: float  # above 180 for a region across the antimeridian
    north: float

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        m = MARGIN_DEG
        lon = np.asarray(lon, dtype=float)
        shifted = np.where(lon < self.west - m, lon + 360.0, lon)
        return ((shifted >= self.west - m) & (shifted <= self.east + m)
                & (lat >= self.south - m) & (lat <= self.north + m))

    def describe(self) -> str:
        return (f"{self.code} {self.name} (lon {self.west:g}…{self.east:g}, "
                f"lat {self.south:g}…{self.north:g})")


_BOXES = {
    "01": ('Adygea', 38.68, 43.76, 40.78, 45.22),
    "02": ('Bashkortostan', 53.16, 51.57, 60.0, 56.53),
    "03": ('Buryatia', 98.63, 49.97, 116.92, 57.25),
    "04": ('Altai Republic', 83.93, 49.08, 89.86, 52.66),
    "05": ('Dagestan', 45.1, 41.19, 48.59, 44.99),
    "06": ('Ingushetia', 44.48, 42.61, 45.24, 43.61),
    "07": ('Kabardino-Balkaria', 42.4, 42.89, 44.48, 44.02),
    "08": ('Kalmykia', 41.64, 44.8, 47.54, 48.27),
    "09": ('Karachay-Cherkessia', 40.68, 43.19, 42.68, 44.5),
    "10": ('Republic of Karelia', 29.31, 60.68, 37.94, 66.67),
    "11": ('Komi Republic', 45.4, 59.2, 66.23, 68.42),
    "12": ('Mari El', 45.63, 55.83, 50.2, 57.33),
    "13": ('Republic of Mordovia', 42.17, 53.65, 46.72, 55.18),
    "14": ('Sakha Republic', 105.54, 55.49, 162.85, 77.11),
    "15": ('North Ossetia–Alania', 43.4, 42.55, 44.96, 43.83),
    "16": ('Tatarstan', 47.27, 53.97, 54.27, 56.67),
    "17": ('Tuva', 88.79, 49.74, 99.26, 53.73),
    "18": ('Udmurtia', 51.12, 55.86, 54.44, 58.55),
    "19": ('Khakassia', 87.89, 51.29, 91.92, 55.44),
    "20": ('Chechnya', 44.83, 42.48, 46.66, 44.01),
    "21": ('Chuvashia', 45.91, 54.63, 48.41, 56.33),
    "22": ('Altai Krai', 77.89, 50.64, 87.17, 54.45),
    "23": ('Krasnodar Krai', 36.61, 43.39, 41.74, 46.88),
    "24": ('Krasnoyarsk Krai', 76.11, 51.77, 113.92, 81.27),
    "25": ('Primorsky Krai', 130.41, 42.3, 139.03, 48.46),
    "26": ('Stavropol Krai', 40.85, 43.66, 45.72, 46.24),
    "27": ('Khabarovsk Krai', 130.39, 46.63, 147.22, 62.53),
    "28": ('Amur Oblast', 119.66, 48.85, 134.92, 57.06),
    "29": ('Arkhangelsk Oblast', 35.5, 60.64, 69.03, 81.86),
    "30": ('Astrakhan Oblast', 44.96, 45.36, 49.34, 48.86),
    "31": ('Belgorod Oblast', 35.33, 49.8, 39.28, 51.43),
    "32": ('Bryansk Oblast', 31.26, 51.84, 35.28, 54.03),
    "33": ('Vladimir Oblast', 38.29, 55.1, 42.97, 56.81),
    "34": ('Volgograd Oblast', 41.17, 47.45, 47.43, 51.25),
    "35": ('Vologda Oblast', 34.72, 58.48, 47.15, 61.61),
    "36": ('Voronezh Oblast', 38.14, 49.56, 42.95, 52.1),
    "37": ('Ivanovo Oblast', 39.37, 56.37, 43.32, 57.74),
    "38": ('Irkutsk Oblast', 95.65, 51.13, 119.14, 64.31),
    "39": ('Kaliningrad', 19.8, 54.32, 22.89, 55.29),
    "40": ('Kaluga Oblast', 33.45, 53.28, 37.27, 55.34),
    "41": ('Kamchatka Krai', 155.55, 50.89, 174.52, 64.94),
    "42": ('Kemerovo Oblast', 84.45, 52.16, 89.4, 56.83),
    "43": ('Kirov Oblast', 46.3, 56.07, 53.93, 61.07),
    "44": ('Kostroma Oblast', 40.39, 57.28, 47.64, 59.62),
    "45": ('Kurgan Oblast', 61.97, 54.19, 68.72, 56.84),
    "46": ('Kursk Oblast', 34.08, 50.9, 38.48, 52.45),
    "47": ('Leningrad oblast', 26.96, 58.42, 35.69, 61.33),
    "48": ('Lipetsk Oblast', 37.74, 51.89, 40.74, 53.58),
    "49": ('Magadan Oblast', 144.73, 58.84, 163.5, 66.34),
    "50": ('Moscow Oblast', 35.15, 54.26, 40.2, 56.96),
    "51": ('Murmansk Oblast', 28.42, 66.06, 41.38, 69.95),
    "52": ('Nizhny Novgorod Oblast', 41.78, 54.46, 47.76, 58.09),
    "53": ('Novgorod Oblast', 29.63, 56.91, 36.22, 59.43),
    "54": ('Novosibirsk Oblast', 75.09, 53.29, 85.12, 57.24),
    "55": ('Omsk Oblast', 70.36, 53.44, 76.3, 58.58),
    "56": ('Orenburg Oblast', 50.77, 50.49, 61.69, 54.37),
    "57": ('Oryol Oblast', 34.83, 51.93, 38.06, 53.65),
    "58": ('Penza Oblast', 42.08, 52.31, 46.97, 54.03),
    "59": ('Perm Krai', 51.77, 56.1, 59.48, 61.66),
    "60": ('Pskov Oblast', 27.33, 55.59, 31.52, 59.02),
    "61": ('Rostov Oblast', 38.22, 45.95, 44.32, 50.21),
    "62": ('Ryazan Oblast', 38.67, 53.31, 42.65, 55.37),
    "63": ('Samara Oblast', 47.94, 51.77, 52.57, 54.65),
    "64": ('Saratov Oblast', 42.5, 49.81, 50.81, 52.81),
    "65": ('Sakhalin Oblast', 141.21, 43.46, 156.51, 54.42),
    "66": ('Sverdlovsk Oblast', 57.23, 56.05, 66.18, 61.95),
    "67": ('Smolensk Oblast', 30.75, 53.42, 35.39, 56.07),
    "68": ('Tambov Oblast', 39.92, 51.59, 43.25, 53.82),
    "69": ('Tver Oblast', 30.77, 55.64, 38.33, 58.86),
    "70": ('Tomsk Oblast', 75.06, 55.62, 89.38, 61.04),
    "71": ('Tula Oblast', 35.9, 52.95, 38.95, 54.85),
    "72": ('Tyumen Oblast', 64.83, 55.15, 75.2, 59.99),
    "73": ('Ulyanovsk Oblast', 45.81, 52.55, 50.24, 54.89),
    "74": ('Chelyabinsk Oblast', 57.13, 51.99, 63.35, 56.36),
    "75": ('Zabaykalsky Krai', 107.73, 49.16, 122.15, 58.44),
    "76": ('Yaroslavl Oblast', 37.36, 56.53, 41.19, 58.96),
    "77": ('Moscow', 36.8, 55.14, 37.96, 56.02),
    "78": ('Saint Petersburg', 29.46, 59.64, 30.76, 60.24),
    "79": ('Jewish Autonomous Oblast', 130.52, 47.66, 135.0, 49.49),
    "83": ('Nenets Autonomous Okrug', 43.27, 65.82, 65.66, 70.45),
    "86": ('Khanty-Mansiysk Autonomous Okrug – Ugra', 59.2, 58.58, 85.98, 65.72),
    "87": ('Chukotka Autonomous Okrug', 157.73, 61.81, 191.0, 71.58),
    "89": ('Yamalo-Nenets Autonomous Okrug', 62.0, 62.2, 86.01, 73.52),
    "90": ('Republic of Crimea', 32.4, 44.35, 36.7, 46.25),
    "91": ('Sevastopol', 33.35, 44.35, 33.95, 44.85),
}
_MERGED = {"80": "75", "81": "59", "82": "41", "84": "24", "85": "38", "88": "24"}

REGIONS: dict[str, Region] = {code: Region(code, *box) for code, box in _BOXES.items()}
REGIONS.update({old: REGIONS[new] for old, new in _MERGED.items()})


def region_code(number: str | None) -> str | None:
    """The okrug a cadastral or registry number names (``77:…``, ``66:41-6.123``), if known."""
    if not number or len(number) < 3 or not number[:2].isdigit() or number[2] not in ":.-":
        return None
    return number[:2] if number[:2] in REGIONS else None


def misplaced(code: str, lon: float, lat: float, crs_name: str | None = None) -> str | None:
    """Why a feature of region ``code`` at ``lon, lat`` cannot be right; None when it is."""
    region = REGIONS[code]
    if np.isfinite(lon) and np.isfinite(lat) and bool(region.contains(np.array([lon]), np.array([lat]))[0]):
        return None
    where = f"lon {lon:.4f}, lat {lat:.4f}" if np.isfinite(lon) and np.isfinite(lat) else "no valid position"
    return (f"it lands at {where}, outside region {region.describe()} that its number names; "
            f"{likely_cause(region, lon, lat, crs_name)}")


def likely_cause(region: Region, lon: float, lat: float, crs_name: str | None) -> str:
    """A guess at what went wrong, from where the feature landed."""
    declared = f" than the declared {crs_name}" if crs_name else ""
    if np.isfinite(lon) and np.isfinite(lat):
        if bool(region.contains(np.array([lat]), np.array([lon]))[0]):
            return "likely cause: latitude and longitude are swapped (axis order) in the file"
        if abs(lon) < 1 and abs(lat) < 1:
            return (f"likely cause: coordinates in degrees read as metres (another CRS{declared}, "
                    "e.g. longitude/latitude declared as EPSG:3857); pass --crs")
        zone_shift = _utm_shift(region, lon, lat) if _is_utm(crs_name) else None
        if zone_shift:
            return (f"likely cause: a wrong UTM zone (it would fit {abs(zone_shift)} "
                    f"zone{'s' if abs(zone_shift) > 1 else ''} "
                    f"{'east' if zone_shift > 0 else 'west'} of {crs_name}); "
                    "pass --crs with the right zone")
    return f"likely cause: the coordinates are in another CRS{declared}; pass --crs"


def _is_utm(crs_name: str | None) -> bool:
    name = (crs_name or "").upper()
    return "UTM" in name or bool(re.search(r"EPSG:32[67]\d\d\b", name))


def _utm_shift(region: Region, lon: float, lat: float) -> int | None:
    """How many 6° zones east (+) or west (−) the point would fit, if a shift fits."""
    for shift in (-1, 1, -2, 2):
        if bool(region.contains(np.array([lon + 6 * shift]), np.array([lat]))[0]):
            return shift
    return None

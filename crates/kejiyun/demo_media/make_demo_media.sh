#!/usr/bin/env bash
# Regenerates every demo media file in this directory from scratch.
# Requirements: python3 with Pillow + fpdf2 (pip install pillow fpdf2),
#               ffmpeg built with libx264, libmp3lame, libopus (Debian: apt-get install ffmpeg).
# Everything here is synthesised; no third-party media is used. Output: CC0 1.0.
set -euo pipefail
cd "$(dirname "$0")"

# 1a/1b. Illustrations (Pillow). Text uses Pillow's built-in default font
#        (ImageFont.load_default -> Aileron Regular, itself CC0).
python3 - <<'PY'
from PIL import Image, ImageDraw, ImageFont
import math, random

# citrus-pruning.jpg, 640x400
W, H = 640, 400
im = Image.new("RGB", (W, H))
d = ImageDraw.Draw(im)
for y in range(260):                                   # sky gradient
    c = (120 + y // 4, 180 + y // 6, 235)
    d.line([(0, y), (W, y)], fill=c)
d.rectangle([0, 260, W, H], fill=(110, 160, 70))        # ground
for x in range(0, W, 24):                              # grass strokes
    d.line([(x, 262), (x + 6, 250)], fill=(90, 140, 55), width=2)
d.ellipse([540, 30, 600, 90], fill=(255, 220, 90))      # sun
d.rectangle([300, 200, 340, 320], fill=(110, 75, 40))   # trunk
d.line([(320, 230), (250, 170)], fill=(110, 75, 40), width=10)
d.line([(320, 230), (395, 165)], fill=(110, 75, 40), width=10)
d.ellipse([190, 60, 450, 250], fill=(40, 120, 50))      # canopy
d.ellipse([150, 110, 290, 230], fill=(45, 130, 55))
d.ellipse([350, 105, 490, 225], fill=(45, 130, 55))
rnd = random.Random(7)
for _ in range(26):                                    # oranges
    a = rnd.uniform(0, 2 * math.pi); r = rnd.uniform(0, 1) ** 0.5
    cx, cy = 320 + 140 * r * math.cos(a), 160 + 80 * r * math.sin(a)
    d.ellipse([cx - 8, cy - 8, cx + 8, cy + 8], fill=(245, 140, 20), outline=(200, 100, 10))
for x0, y0 in [(420, 300), (460, 320)]:                # pruned twigs on ground
    d.line([(x0, y0), (x0 + 40, y0 - 8)], fill=(110, 75, 40), width=4)
d.line([(480, 230), (520, 200)], fill=(60, 60, 60), width=5)   # shears
d.line([(480, 200), (520, 230)], fill=(60, 60, 60), width=5)
font = ImageFont.load_default(size=26)
d.text((20, 350), "Citrus pruning: open the canopy to the light", fill=(255, 255, 255), font=font)
im.save("citrus-pruning.jpg", "JPEG", quality=70, optimize=True, progressive=True)

# rice-pests.png, 480x320, palette image to stay small
W, H = 480, 320
im = Image.new("RGB", (W, H), (200, 230, 245))
d = ImageDraw.Draw(im)
d.rectangle([0, 120, W, H], fill=(150, 190, 215))       # paddy water
for i in range(14):                                    # rice rows in perspective
    y = 130 + i * i * 1.1 + i * 4
    d.line([(0, y), (W, y)], fill=(120, 170, 200), width=1)
    for x in range(-(i % 2) * 10, W, 20 + i * 2):
        h = 10 + i * 3
        d.line([(x, y), (x - 3, y - h)], fill=(60, 150, 50), width=1 + i // 5)
        d.line([(x, y), (x + 4, y - h + 2)], fill=(80, 170, 60), width=1 + i // 5)
bx, by = 300, 200                                      # planthopper-like bug
d.ellipse([bx - 45, by - 18, bx + 45, by + 18], fill=(120, 80, 40), outline=(60, 40, 20), width=2)
d.ellipse([bx + 35, by - 14, bx + 62, by + 14], fill=(90, 60, 30))
d.polygon([(bx - 30, by - 10), (bx + 30, by - 10), (bx - 55, by - 40)], fill=(230, 220, 180))
for k in (-20, 0, 20):                                 # legs
    d.line([(bx + k, by + 12), (bx + k - 12, by + 34)], fill=(60, 40, 20), width=3)
d.line([(bx + 58, by - 10), (bx + 80, by - 35)], fill=(60, 40, 20), width=2)  # antenna
d.ellipse([380, 40, 450, 110], outline=(200, 30, 30), width=5)  # "watch out" sign
d.line([(415, 55), (415, 85)], fill=(200, 30, 30), width=6)
d.ellipse([411, 92, 419, 100], fill=(200, 30, 30))
font = ImageFont.load_default(size=22)
d.text((16, 16), "Rice pests: scout the paddy weekly", fill=(30, 50, 30), font=font)
im.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save("rice-pests.png", optimize=True)
PY

# 2. Video: 4 s, 320x240, 12 fps, H.264 Constrained Baseline, yuv420p, faststart, no audio.
#    A "wash your hands" timer: a clock face with a hand that makes one turn in 4 s
#    (rotate), two rising "soap bubbles" and a filling progress bar (overlay with t).
#    Note: in drawbox, "t" means thickness, so all motion is done via overlay/rotate.
ffmpeg -y -hide_banner -loglevel error \
  -f lavfi -i "color=c=0x2b6cb0:s=320x240:r=12:d=4" \
  -f lavfi -i "color=c=black@0:s=140x140:r=12:d=4,format=yuva420p,drawbox=x=66:y=10:w=8:h=62:color=0x1a365d@1:t=fill:replace=1,rotate=a=2*PI*t/4:c=none" \
  -f lavfi -i "color=c=white:s=14x14:r=12:d=4" \
  -f lavfi -i "color=c=white:s=10x10:r=12:d=4" \
  -f lavfi -i "color=c=0xf6e05e:s=320x20:r=12:d=4" \
  -filter_complex "[0]drawbox=x=60:y=40:w=200:h=160:color=white@0.9:t=fill,drawbox=x=70:y=50:w=180:h=140:color=0x90cdf4:t=fill[bg];\
[bg][1]overlay=x=90:y=50,drawbox=x=155:y=115:w=10:h=10:color=0x1a365d:t=fill[a];\
[a][2]overlay=x='100+30*sin(3*t)':y='170-25*t'[b];\
[b][3]overlay=x='210+30*cos(2*t)':y='180-20*t'[c];\
[c][4]overlay=x='-320+320*t/4':y=220:shortest=1,format=yuv420p" \
  -c:v libx264 -profile:v baseline -level 3.0 -preset veryslow -crf 30 -g 24 \
  -pix_fmt yuv420p -movflags +faststart -an -map_metadata -1 \
  hand-washing.mp4

# 3a. MP3: 4 s mono 22.05 kHz 32 kbps, a four-note sine "alert" melody.
ffmpeg -y -hide_banner -loglevel error \
  -f lavfi -i "sine=f=523.25:d=1" -f lavfi -i "sine=f=659.25:d=1" \
  -f lavfi -i "sine=f=783.99:d=1" -f lavfi -i "sine=f=1046.5:d=1" \
  -filter_complex "[0][1][2][3]concat=n=4:v=0:a=1,volume=0.5,afade=t=in:d=0.05,afade=t=out:st=3.7:d=0.3,aresample=22050,aformat=channel_layouts=mono" \
  -c:a libmp3lame -b:a 32k -map_metadata -1 -write_xing 1 -id3v2_version 0 \
  pig-fever.mp3

# 3b. Ogg Opus: 2.5 s mono, two-tone beeping (880 Hz / 660 Hz alternating).
ffmpeg -y -hide_banner -loglevel error \
  -f lavfi -i "aevalsrc='0.4*sin(2*PI*(if(lt(mod(t,0.5),0.25),880,660))*t)*lt(mod(t,0.25),0.2)':s=48000:d=2.5" \
  -c:a libopus -b:a 24k -ac 1 -map_metadata -1 -fflags +bitexact \
  weather-alert.ogg

# 4. PDF: 1 page, core Helvetica font (not embedded), no images.
python3 - <<'PY'
from fpdf import FPDF
pdf = FPDF(format="A4")
pdf.set_title("Kiwifruit orchard guide - demo document")
pdf.set_author("Kejiyun demo data")
pdf.set_creation_date(__import__("datetime").datetime(2024, 1, 1, tzinfo=__import__("datetime").timezone.utc))
pdf.add_page()
pdf.set_font("Helvetica", "B", 20)
pdf.cell(0, 12, "Kiwifruit orchard guide - demo document", new_x="LMARGIN", new_y="NEXT")
pdf.set_font("Helvetica", "", 11)
pdf.cell(0, 8, "Kejiyun popular-science demo resource (CC0 1.0)", new_x="LMARGIN", new_y="NEXT")
pdf.ln(4)
sections = [
    ("1. Site and soil", "Choose well-drained, slightly acidic loam (pH 5.5-6.5). Avoid low spots where cold air and water collect."),
    ("2. Trellis and training", "Use a T-bar or pergola trellis about 1.8 m high. Train one straight trunk to the wire, then two leaders along it."),
    ("3. Pollination", "Plant about one male vine for every six to eight female vines. Bees improve fruit set; avoid spraying during bloom."),
    ("4. Winter pruning", "Remove fruited canes and weak shoots; keep healthy one-year canes spaced 20-30 cm apart on the leaders."),
    ("5. Harvest", "Pick when soluble solids reach about 6.5-7 %. Store fruit cool and ripen it at room temperature before eating."),
]
for head, body in sections:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 9, head, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
pdf.set_font("Helvetica", "I", 9)
pdf.cell(0, 8, "This demo document was generated for the Kejiyun project and is dedicated to the public domain (CC0 1.0).")
pdf.output("kiwi-guide.pdf")
PY

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# The plug-in's help page (what the dialog's Help button opens) from the README's sections on GIMP and on the
# weights, so that the two never disagree. Knows the little Markdown those sections use: paragraphs, "- " lists,
# tables, code blocks, **bold**, `code`, links and pictures (dropped: the page is installed without them).
#   help_page.py README.md OUTPUT.html
import html
import re
import sys

SECTIONS = ('## In GIMP 3', '## The VGG19 weights')


def inline(text):
    text = re.sub(r'!\[[^\]]*\]\([^)]*\)', '', text)
    parts = re.split(r'(`[^`]*`)', text)  # no markup inside code
    out = []
    for part in parts:
        if part.startswith('`') and part.endswith('`') and len(part) > 1:
            out.append('<code>%s</code>' % html.escape(part[1:-1]))
        else:
            part = html.escape(part, quote=False)
            part = re.sub(r'\*\*(.+?)\*\*', r'<b>\1</b>', part)
            out.append(re.sub(r'\[([^\]]+)\]\([^)]*\)', r'\1', part))
    return ''.join(out)


def blocks(lines):
    """Yields (kind, lines): paragraph, item, table, code."""
    kind, block = None, []
    fenced = False
    for line in lines + ['']:
        if fenced or line.startswith('```'):
            if line.startswith('```'):
                fenced = not fenced
                if fenced:
                    if block:
                        yield kind, block
                    kind, block = 'code', []
                continue
            block.append(line)
            continue
        if not line.strip():
            if block:
                yield kind, block
            kind, block = None, []
        elif line.startswith('- '):
            if block:
                yield kind, block
            kind, block = 'item', [line[2:]]
        elif kind == 'item' and line.startswith('  '):
            block.append(line.strip())
        elif line.startswith('|'):
            if kind != 'table' and block:
                yield kind, block
                block = []
            kind = 'table'
            block.append(line)
        elif line.startswith('    ') and kind in (None, 'code'):
            kind = 'code'
            block.append(line[4:])
        else:
            if kind not in (None, 'paragraph'):
                yield kind, block
                block = []
            kind = 'paragraph'
            block.append(line)


def render(lines):
    out, in_list = [], False
    for kind, block in blocks(lines):
        if kind != 'item' and in_list:
            out.append('</ul>')
            in_list = False
        if kind == 'item':
            if not in_list:
                out.append('<ul>')
                in_list = True
            out.append('<li>%s</li>' % inline(' '.join(block)))
        elif kind == 'paragraph':
            text = inline(' '.join(block)).strip()
            if text:
                out.append('<p>%s</p>' % text)
        elif kind == 'code':
            out.append('<pre>%s</pre>' % html.escape('\n'.join(block)))
        elif kind == 'table':
            rows = [[inline(cell.strip()) for cell in row.strip('|').split('|')]
                    for row in block if not re.match(r'^\|[-|: ]+\|$', row)]
            out.append('<table>%s</table>' % ''.join(
                '<tr>%s</tr>' % ''.join('<td>%s</td>' % cell for cell in row) for row in rows))
    if in_list:
        out.append('</ul>')
    return out


def main(readme, output):
    lines = open(readme, encoding='utf-8').read().split('\n')
    body = ['<h1>Neural Style Transfer</h1>']
    for heading in SECTIONS:
        start = lines.index(heading) + 1
        end = next((i for i in range(start, len(lines)) if lines[i].startswith('## ')), len(lines))
        body.append('<h2>%s</h2>' % html.escape(heading[3:]))
        body += render(lines[start:end])
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Neural Style Transfer</title>'
            '</head>\n<body>\n%s\n</body></html>\n' % '\n'.join(body))
    open(output, 'w', encoding='utf-8').write(page)


if __name__ == '__main__':
    main(*sys.argv[1:])

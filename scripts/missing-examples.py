"""List public library items (reachable from the crate root) whose doc comment has no example.

Usage: python3 scripts/missing-examples.py [x]   (from the repository root; `x` also lists
the items). Exits 1 when any item lacks an example: `.ci/run` checks it.
Counts `pub fn/struct/enum/const/type/trait/static` outside src/cli. An item counts
only when a user can name it: its module chain is `pub mod` from src/lib.rs, or it
is re-exported with `pub use`; a `pub fn` in an `impl` block counts only when the
impl's type counts. Items in inline private modules (`mod tests`) are skipped.
"""
import glob, re, sys

ITEM = re.compile(r'(\s*)pub (fn|struct|enum|const|type|trait|static) (\w+)')

def chain(p):
    parts = p[len('src/'):-len('.rs')].split('/')
    if parts[-1] in ('mod', 'lib'):
        parts = parts[:-1]
    return parts

def file_of(parts):
    if not parts:
        return 'src/lib.rs'
    base = 'src/' + '/'.join(parts)
    for f in (base + '.rs', base + '/mod.rs'):
        try:
            open(f).close()
            return f
        except OSError:
            pass
    return None

def module_public(parts):
    for k in range(1, len(parts) + 1):
        parent = file_of(parts[:k - 1])
        src = open(parent).read()
        if not re.search(r'^\s*pub mod %s\s*;' % re.escape(parts[k - 1]), src, re.M):
            return False
    return True

files = [p for p in sorted(glob.glob('src/**/*.rs', recursive=True))
         if not p.startswith('src/cli') and p != 'src/main.rs']

# names re-exported with `pub use` (from public modules)
reexported = set()
for p in files:
    if not module_public(chain(p)):
        continue
    for m in re.finditer(r'^pub use ([^;]*);', open(p).read(), re.M):
        body = m.group(1)
        if '{' in body:
            body = body[body.index('{') + 1:body.rindex('}')]
            names = [n.strip().split('::')[-1] for n in body.split(',')]
        else:
            names = [body.split('::')[-1]]
        for n in names:
            n = n.strip()
            if ' as ' in n:
                n = n.split(' as ')[-1]
            if n and n != 'self':
                reexported.add(n)

public_types = set()
for p in files:
    pub = module_public(chain(p))
    for l in open(p):
        m = ITEM.match(l)
        if m and m.group(1) == '' and m.group(2) in ('struct', 'enum', 'trait', 'type') and (pub or m.group(3) in reexported):
            public_types.add(m.group(3))

def impl_type(line):
    s = line.strip()
    s = re.sub(r'^impl\s*(<[^{]*?>)?\s*', '', s)  # crude: drop impl generics
    if ' for ' in s:
        s = s.split(' for ')[-1]
    s = re.split(r'[<{\s]', s.strip())[0]
    return s.split('::')[-1]

tot = 0
miss = []
for p in files:
    pub = module_public(chain(p))
    L = open(p).read().split('\n')
    for i, l in enumerate(L):
        m = ITEM.match(l)
        if not m:
            continue
        indent, kind, name = len(m.group(1)), m.group(2), m.group(3)
        if indent == 0:
            reach = pub or name in reexported
        else:
            # nearest enclosing block header at lower indentation
            reach = False
            for j in range(i - 1, -1, -1):
                t = L[j]
                ind = len(t) - len(t.lstrip())
                if t.strip() and ind < indent and not t.strip().startswith(('//', '#', '}', ')', ']', 'where', '+')):
                    h = t.strip()
                    if h.startswith('impl'):
                        reach = impl_type(h) in public_types
                    elif h.startswith('pub mod '):
                        reach = pub
                    else:  # private inline mod, fn body, etc.
                        reach = False
                    break
        if not reach:
            continue
        j = i - 1
        doc = []
        while j >= 0 and (L[j].strip().startswith('///') or L[j].strip().startswith('#[')):
            doc.append(L[j])
            j -= 1
        tot += 1
        if not any('```' in d for d in doc):
            miss.append(f'{p}:{i + 1}:{kind} {name}')
print(tot, len(miss))
if len(sys.argv) > 1:
    print('\n'.join(miss))
# CI: a public item without an example fails the run.
sys.exit(1 if miss else 0)

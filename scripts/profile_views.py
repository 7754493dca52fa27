"""How scripts/jfr-top.py and scripts/collapsed-top.py print a profile: one place for both."""


def print_views(total, what, views, callers, callers_title, top=12):
    """`views`: (title, Counter) pairs, their `top` rows; `callers`: thread -> Counter; every figure in percent of
    `total`."""
    print(f'{total} {what}')
    for title, counter in views:
        print(f'\n== {title}')
        for name, n in counter.most_common(top):
            print(f'{100 * n / total:5.1f}%  {name[:120]}')
    print(f'\n== {callers_title}')
    for thread, counter in sorted(callers.items(), key=lambda t: -sum(t[1].values()))[:8]:
        print(f'-- {thread} ({100 * sum(counter.values()) / total:.1f}%)')
        for name, n in counter.most_common(6):
            print(f'   {100 * n / total:5.1f}%  {name}')


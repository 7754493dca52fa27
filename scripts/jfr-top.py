#!/usr/bin/env python3
"""Where a JFR recording's execution samples go: by thread, by kind of work, by calling frame.

    jfr print --stack-depth 300 --json --events jdk.ExecutionSample rec.jfr > samples.json
    scripts/jfr-top.py samples.json [TOP]

Three views, each in percent of all samples:
  threads      the sampled thread (a Flink task thread is named after its chain of operators)
  kind         what the sample was doing, by the first rule below that any frame of its stack matches
               (so "avro serialize for a shuffle" includes the Avro code it calls)
  caller       per thread, the first frame from the top that is not library code (Avro, JDK): who spends
               the time

--stack-depth matters: `jfr print` keeps 5 frames by default, too few to see who called Avro.
"""
import collections
import json
import sys

from profile_views import print_views

KINDS = (
    ('org.apache.flink.formats.avro.typeutils.AvroSerializer.copy', 'avro copy between chained operators'),
    ('org.apache.flink.formats.avro.typeutils.AvroSerializer.serialize', 'avro serialize (shuffle or checkpoint)'),
    ('org.apache.flink.formats.avro.typeutils.AvroSerializer.deserialize', 'avro deserialize after a shuffle'),
    ('org.apache.flink.api.java.typeutils.runtime.kryo', 'kryo'),
    ('io.vigil.pipeline.serde', 'hand-written serializers (shuffle or checkpoint)'),
    ('org.apache.flink.api.java.typeutils.runtime.PojoSerializer.copy', 'pojo copy between chained operators'),
    ('org.apache.flink.api.java.typeutils.runtime.PojoSerializer.serialize', 'pojo serialize (shuffle or checkpoint)'),
    ('org.apache.flink.api.java.typeutils.runtime.PojoSerializer.deserialize', 'pojo deserialize after a shuffle'),
    ('io.vigil.pipeline.kafka.KafkaInput.deserialize', 'decode kafka messages (framing, avro, checks)'),
    ('io.vigil.pipeline.attribution.AssignmentTimeline', 'attribution timeline lookups'),
    ('io.vigil.models', 'features (models)'),
    ('org.apache.flink.runtime.state.ttl', 'keyed state: TTL'),
    ('org.apache.flink.runtime.state', 'keyed state'),
    ('org.apache.flink.streaming.api.operators.InternalTimerServiceImpl', 'timers'),
    ('io.vigil.pipeline', 'vigil operators (own code)'),
    ('org.apache.flink.streaming.runtime.operators.windowing', 'window operator'),
    ('org.apache.flink.runtime.io.network', 'network stack'),
    ('org.apache.flink.connector.kafka', 'kafka source and sinks'),
    ('org.apache.kafka', 'kafka client and broker'),
    ('org.apache.flink', 'flink, other'),
)
LIBRARY = ('java.', 'jdk.', 'sun.', 'org.apache.avro.', 'org.apache.flink.formats.avro.utils',
           'org.apache.flink.core.memory', 'org.apache.flink.api.common.typeutils.base')


def frame_name(frame):
    method = frame['method']
    return method['type']['name'].replace('/', '.') + '.' + method['name']


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    events = json.load(open(path))['recording']['events']
    threads, kinds = collections.Counter(), collections.Counter()
    callers = collections.defaultdict(collections.Counter)
    total = 0
    for event in events:
        values = event['values']
        frames = [frame_name(f) for f in (values.get('stackTrace') or {}).get('frames', [])]
        if not frames:
            continue
        total += 1
        thread = (values['sampledThread']['javaName'] or values['sampledThread']['osName'] or '?').split(' (')[0][:60]
        threads[thread] += 1
        kinds[next((kind for prefix, kind in KINDS if any(f.startswith(prefix) for f in frames)),
                   'other: ' + '.'.join(frames[-1].split('.')[:4]))] += 1
        caller = next((f for f in frames if not f.startswith(LIBRARY)), frames[-1])
        callers[thread]['.'.join(caller.split('.')[-2:])] += 1
    if total == 0:
        sys.exit('no execution samples in ' + path)
    print_views(total, 'execution samples', (('threads', threads), ('kind of work', kinds)), callers,
                'callers, per thread (first non-library frame)', top)


if __name__ == '__main__':
    main()

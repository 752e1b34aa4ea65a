#!/bin/bash
# two namespaces joined by a veth pair, MTU 1500, no delay: per-packet CPU with nothing else in the way
ip netns del fa 2>/dev/null; ip netns del fb 2>/dev/null
ip netns add fa; ip netns add fb
ip link add va type veth peer name vb
ip link set va netns fa; ip link set vb netns fb
ip -n fa addr add 10.77.0.1/24 dev va; ip -n fb addr add 10.77.0.2/24 dev vb
ip -n fa link set va up; ip -n fb link set vb up; ip -n fa link set lo up; ip -n fb link set lo up
ip netns exec fa ping -c1 -W1 10.77.0.2 >/dev/null && echo ok

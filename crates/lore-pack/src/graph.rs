//! The whole dependency graph at once, for drawing it: every system, every
//! edge (dangling ones to the names they point at), and the cycles.

use std::collections::BTreeSet;

use lore_model::{EdgeKind, EdgeOrigin};
use serde::Serialize;

use crate::data::ArchivedPackData;
use crate::query::{self, SystemRow, owned};

/// Every system and edge of a pack, with its dangling names and cycles.
#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    /// The systems, in ID order.
    pub systems: Vec<SystemRow>,
    /// Names that edges point at but no system answers to.
    pub dangling: Vec<String>,
    /// Every edge whose source is a known system.
    pub edges: Vec<GraphEdge>,
    /// Groups of systems that depend on each other in a circle (two or
    /// more), and systems that depend on themselves; sorted.
    pub cycles: Vec<Vec<String>>,
}

/// One dependency edge, endpoints by ID (or by the dangling name).
#[derive(Debug, Clone, Serialize)]
pub struct GraphEdge {
    /// The system that needs the other.
    pub from: String,
    /// The system it needs, or the name it points at when it dangles.
    pub to: String,
    /// How `from` relates to `to`.
    pub kind: EdgeKind,
    /// Declared by a person or observed in what is deployed.
    pub origin: EdgeOrigin,
    /// Whether `to` names no known system.
    pub dangling: bool,
    /// Where it was written or observed, `path:line`.
    pub cite: String,
}

/// The graph of `data`.
pub fn graph(data: &ArchivedPackData) -> Graph {
    let systems = query::systems(data);
    let mut next: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); systems.len()];
    let mut self_loops = BTreeSet::new();
    let mut edges = Vec::with_capacity(data.edges.len());
    for linked in data.edges.iter() {
        let Some(from) = linked.from_ix.as_ref().map(|i| i.to_native() as usize) else { continue };
        let to = linked.to_ix.as_ref().map(|i| i.to_native() as usize);
        match to {
            Some(to) if to == from => {
                self_loops.insert(from);
            }
            Some(to) => {
                next[from].insert(to);
            }
            None => {}
        }
        let provenance = owned::<lore_model::Provenance, _>(&linked.edge.provenance);
        edges.push(GraphEdge {
            from: systems[from].id.clone(),
            to: to.map_or_else(|| linked.edge.to.to_string(), |to| systems[to].id.clone()),
            kind: owned(&linked.edge.kind),
            origin: owned(&linked.edge.origin),
            dangling: to.is_none(),
            cite: provenance.cite(),
        });
    }
    let mut cycles: Vec<Vec<String>> = strongly_connected(&next)
        .into_iter()
        .filter(|component| component.len() > 1)
        .chain(self_loops.into_iter().map(|ix| vec![ix]))
        .map(|component| component.into_iter().map(|ix| systems[ix].id.clone()).collect())
        .collect();
    cycles.sort();
    let dangling = data.dangling.iter().map(|d| d.name.to_string()).collect();
    Graph { systems, dangling, edges, cycles }
}

/// Iterative Tarjan, so deep graphs cannot overflow the stack. Components
/// come out sorted by their smallest member, each sorted.
pub fn strongly_connected(next: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = next.len();
    let (mut index, mut low, mut on_stack) = (vec![UNSEEN; n], vec![0; n], vec![false; n]);
    let (mut stack, mut components, mut counter) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut work: Vec<(usize, Vec<usize>)> = vec![(root, next[root].iter().copied().collect())];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((node, pending)) = work.last_mut() {
            let node = *node;
            if let Some(child) = pending.pop() {
                if index[child] == UNSEEN {
                    index[child] = counter;
                    low[child] = counter;
                    counter += 1;
                    stack.push(child);
                    on_stack[child] = true;
                    work.push((child, next[child].iter().copied().collect()));
                } else if on_stack[child] {
                    low[node] = low[node].min(index[child]);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _)) = work.last() {
                low[*parent] = low[*parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                component.sort_unstable();
                components.push(component);
            }
        }
    }
    components.sort();
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_a_circle_and_a_tail() {
        // 0 → 1 → 2 → 0, 2 → 3
        let next = vec![BTreeSet::from([1]), BTreeSet::from([2]), BTreeSet::from([0, 3]), BTreeSet::new()];
        let components = strongly_connected(&next);
        assert_eq!(components, vec![vec![0, 1, 2], vec![3]]);
    }
}

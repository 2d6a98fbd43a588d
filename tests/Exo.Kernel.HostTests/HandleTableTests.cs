using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Kernel.Capabilities;
using Xunit;

namespace Exo.Kernel.HostTests;

public class HandleTableTests
{
    private static Handle InsertRoot(HandleTable table, object obj, ObjectType type, Rights rights)
    {
        Assert.Equal(Error.None, table.Insert(obj, type, rights, null, out Handle handle));
        Assert.False(handle.IsInvalid);
        return handle;
    }

    private static Capability Get(HandleTable table, Handle handle)
    {
        Assert.Equal(Error.None, table.Lookup(handle, ObjectType.None, Rights.None, out Capability capability));
        return capability;
    }

    private static void AssertDead(HandleTable table, Handle handle)
    {
        Assert.Equal(Error.BadHandle, table.Lookup(handle, ObjectType.None, Rights.None, out Capability capability));
        Assert.Null(capability);
    }

    [Fact]
    public void Insert_then_lookup_returns_the_capability()
    {
        var table = new HandleTable(8);
        var obj = new object();
        Handle handle = InsertRoot(table, obj, ObjectType.MemoryObject, Rights.Read | Rights.Map);
        Assert.Equal(1, table.Count);
        Assert.Equal(8, table.Capacity);
        Assert.Equal(Error.None, table.Lookup(handle, ObjectType.MemoryObject, Rights.Read, out Capability capability));
        Assert.Same(obj, capability.Object);
        Assert.Equal(ObjectType.MemoryObject, capability.Type);
        Assert.Equal(Rights.Read | Rights.Map, capability.Rights);
        Assert.Same(table, capability.Table);
        Assert.Null(capability.Parent);
        Assert.Equal(handle.Value, capability.Handle.Value);
    }

    [Fact]
    public void Handle_layout_and_invalid_handle()
    {
        Assert.Equal(32, Handle.IndexBits + Handle.GenerationBits);
        Assert.Equal(0u, Handle.Invalid.Value);
        Assert.True(default(Handle).IsInvalid);
        Handle handle = Handle.From(5, 7);
        Assert.Equal(5, handle.Index);
        Assert.Equal(7u, handle.Generation);
        Handle top = Handle.From(Handle.MaxSlots - 1, Handle.MaxGeneration);
        Assert.Equal(uint.MaxValue, top.Value);

        var table = new HandleTable(4);
        InsertRoot(table, null, ObjectType.Thread, Rights.All);
        AssertDead(table, Handle.Invalid);
    }

    [Fact]
    public void Capacity_is_clamped_to_what_a_handle_can_name()
    {
        Assert.Equal(Handle.MaxSlots, new HandleTable(1 << 20).Capacity);
        Assert.Equal(0, new HandleTable(-3).Capacity);
        Assert.Equal(Error.OutOfMemory, new HandleTable(0).Insert(null, ObjectType.Process, Rights.All, null, out _));
    }

    [Fact]
    public void Stale_handle_after_close_is_rejected_even_when_the_slot_is_reused()
    {
        var table = new HandleTable(1);
        Handle first = InsertRoot(table, "a", ObjectType.Notification, Rights.All);
        Assert.Equal(Error.None, table.Close(first));
        AssertDead(table, first);
        Assert.Equal(Error.BadHandle, table.Close(first));
        Assert.Equal(0, table.Count);

        Handle second = InsertRoot(table, "b", ObjectType.Notification, Rights.All);
        Assert.Equal(first.Index, second.Index);            // the only slot, reused
        Assert.NotEqual(first.Generation, second.Generation);
        AssertDead(table, first);
        Assert.Equal(Error.BadHandle, table.Close(first));
        Assert.Equal("b", Get(table, second).Object);
    }

    [Fact]
    public void Free_slots_are_reused_in_fifo_order()
    {
        var table = new HandleTable(4);
        var handles = new Handle[4];
        for (int i = 0; i < 4; i++)
            handles[i] = InsertRoot(table, i, ObjectType.Thread, Rights.All);
        table.Close(handles[2]);
        table.Close(handles[0]);
        Assert.Equal(2, InsertRoot(table, null, ObjectType.Thread, Rights.All).Index);
        Assert.Equal(0, InsertRoot(table, null, ObjectType.Thread, Rights.All).Index);
    }

    [Fact]
    public void Forged_handles_are_rejected()
    {
        var table = new HandleTable(16);
        var live = new HashSet<uint>();
        for (int i = 0; i < 10; i++)
            live.Add(InsertRoot(table, i, ObjectType.Endpoint, Rights.All).Value);
        Handle h = Handle.From(3, Handle.FirstGeneration);
        Assert.Contains(h.Value, live);

        AssertDead(table, Handle.From(3, 0));                                  // generation 0
        AssertDead(table, Handle.From(3, 2));                                  // a future generation
        AssertDead(table, Handle.From(3, Handle.MaxGeneration));
        AssertDead(table, Handle.From(12, Handle.FirstGeneration));            // within capacity, never used
        AssertDead(table, Handle.From(16, Handle.FirstGeneration));            // beyond capacity
        AssertDead(table, Handle.From(Handle.MaxSlots - 1, Handle.FirstGeneration));
        AssertDead(table, new Handle(uint.MaxValue));

        var random = new Random(1234);
        for (int i = 0; i < 100000; i++)
        {
            var forged = new Handle((uint)random.NextInt64(0, 1L << 32));
            Error error = table.Lookup(forged, ObjectType.None, Rights.None, out _);
            Assert.Equal(live.Contains(forged.Value) ? Error.None : Error.BadHandle, error);
        }
    }

    [Fact]
    public void Lookup_enforces_rights()
    {
        var table = new HandleTable(4);
        Handle handle = InsertRoot(table, null, ObjectType.MemoryObject, Rights.Read | Rights.Map);
        Assert.Equal(Error.None, table.Lookup(handle, ObjectType.MemoryObject, Rights.Read | Rights.Map, out _));
        Assert.Equal(Error.AccessDenied, table.Lookup(handle, ObjectType.MemoryObject, Rights.Write, out Capability capability));
        Assert.Null(capability);
        Assert.Equal(Error.AccessDenied, table.Lookup(handle, ObjectType.MemoryObject, Rights.Read | Rights.Write, out _));
    }

    [Fact]
    public void Lookup_enforces_type()
    {
        var table = new HandleTable(4);
        Handle handle = InsertRoot(table, null, ObjectType.Interrupt, Rights.Wait);
        Assert.Equal(Error.BadHandle, table.Lookup(handle, ObjectType.IoPortRange, Rights.None, out Capability capability));
        Assert.Null(capability);
        Assert.Equal(Error.None, table.Lookup(handle, ObjectType.None, Rights.Wait, out _));   // None: any type
        Assert.Equal(Error.None, table.Lookup(handle, ObjectType.Interrupt, Rights.Wait, out _));
    }

    [Fact]
    public void Insert_rejects_type_none_and_rights_beyond_the_parent()
    {
        var table = new HandleTable(4);
        Assert.Equal(Error.Invalid, table.Insert(null, ObjectType.None, Rights.All, null, out Handle none));
        Assert.True(none.IsInvalid);
        Capability parent = Get(table, InsertRoot(table, null, ObjectType.PhysicalRange, Rights.Read | Rights.Map));
        Assert.Equal(Error.Invalid, table.Insert(null, ObjectType.PhysicalRange, Rights.Write, parent, out _));
        Assert.Equal(Error.None, table.Insert(null, ObjectType.MemoryObject, Rights.Map, parent, out Handle child));
        Assert.Same(parent, Get(table, child).Parent);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Duplicate_with_fewer_rights_works_and_with_more_fails()
    {
        var table = new HandleTable(8);
        var obj = new object();
        Handle original = InsertRoot(table, obj, ObjectType.MemoryObject, Rights.Read | Rights.Write | Rights.Duplicate);
        Assert.Equal(Error.None, table.Duplicate(original, Rights.Read, out Handle duplicate));
        Capability copy = Get(table, duplicate);
        Assert.Same(obj, copy.Object);
        Assert.Equal(ObjectType.MemoryObject, copy.Type);
        Assert.Equal(Rights.Read, copy.Rights);
        Assert.Same(Get(table, original), copy.Parent);
        Assert.Equal(Error.AccessDenied, table.Lookup(duplicate, ObjectType.None, Rights.Write, out _));

        Assert.Equal(Error.Invalid, table.Duplicate(original, Rights.Read | Rights.Map, out Handle refused));
        Assert.True(refused.IsInvalid);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Duplicate_without_the_duplicate_right_fails()
    {
        var table = new HandleTable(8);
        Handle original = InsertRoot(table, null, ObjectType.Thread, Rights.Read | Rights.Write);
        Assert.Equal(Error.AccessDenied, table.Duplicate(original, Rights.Read, out Handle duplicate));
        Assert.True(duplicate.IsInvalid);
        // A duplicate made without Duplicate cannot itself be duplicated.
        Handle granting = InsertRoot(table, null, ObjectType.Thread, Rights.Read | Rights.Duplicate);
        Assert.Equal(Error.None, table.Duplicate(granting, Rights.Read, out Handle readOnly));
        Assert.Equal(Error.AccessDenied, table.Duplicate(readOnly, Rights.Read, out _));
        Assert.Equal(Error.BadHandle, table.Duplicate(Handle.Invalid, Rights.None, out _));
    }

    [Fact]
    public void Revoke_removes_children_and_grandchildren_in_other_tables_but_keeps_the_original_and_unrelated()
    {
        var a = new HandleTable(8);
        var b = new HandleTable(8);
        var c = new HandleTable(8);
        Rights all = Rights.All;
        Handle original = InsertRoot(a, "obj", ObjectType.Endpoint, all);
        Handle unrelated = InsertRoot(a, "other", ObjectType.Endpoint, all);
        Assert.Equal(Error.None, a.Duplicate(original, all, out Handle childInA));
        Assert.Equal(Error.None, HandleTable.Transfer(a, original, b, all, false, out Handle childInB));
        Assert.Equal(Error.None, HandleTable.Transfer(b, childInB, c, all, false, out Handle grandchildInC));
        Assert.Equal(Error.None, c.Duplicate(grandchildInC, Rights.Read, out Handle greatGrandchildInC));
        Assert.Equal(Error.None, HandleTable.Transfer(a, childInA, a, all, false, out Handle grandchildInA));
        Handle unrelatedInB = InsertRoot(b, "b's own", ObjectType.Thread, all);
        Assert.Equal(Error.None, HandleTable.Transfer(a, unrelated, c, all, false, out Handle unrelatedChildInC));

        Assert.Equal(Error.None, a.Revoke(original));

        Get(a, original);
        Assert.Null(Get(a, original).FirstChild);
        AssertDead(a, childInA);
        AssertDead(a, grandchildInA);
        AssertDead(b, childInB);
        AssertDead(c, grandchildInC);
        AssertDead(c, greatGrandchildInC);
        Get(a, unrelated);
        Get(b, unrelatedInB);
        Assert.Same(Get(a, unrelated), Get(c, unrelatedChildInC).Parent);
        Assert.Equal(2, a.Count);
        Assert.Equal(1, b.Count);
        Assert.Equal(1, c.Count);

        // The original can derive again after a revoke.
        Assert.Equal(Error.None, a.Duplicate(original, Rights.Read, out _));
    }

    [Fact]
    public void Revoke_requires_the_revoke_right_and_changes_nothing_otherwise()
    {
        var table = new HandleTable(8);
        Handle original = InsertRoot(table, null, ObjectType.Notification, Rights.All & ~Rights.Revoke);
        Assert.Equal(Error.None, table.Duplicate(original, Rights.Signal, out Handle child));
        Assert.Equal(Error.AccessDenied, table.Revoke(original));
        Get(table, child);
        Assert.Equal(Error.BadHandle, table.Revoke(Handle.From(7, 1)));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Revoke_of_a_deep_chain_and_a_wide_tree_is_iterative()
    {
        // A chain spread over several tables, deeper than a recursive walk could go on a 16 KiB kernel stack.
        var tables = new HandleTable[8];
        for (int i = 0; i < tables.Length; i++)
            tables[i] = new HandleTable(Handle.MaxSlots);
        Handle root = InsertRoot(tables[0], null, ObjectType.MemoryObject, Rights.All);
        HandleTable table = tables[0];
        Handle current = root;
        int created = 0;
        for (int i = 0; i < 20000; i++)
        {
            HandleTable next = tables[(i + 1) % tables.Length];
            Assert.Equal(Error.None, HandleTable.Transfer(table, current, next, Rights.All, false, out Handle child));
            table = next;
            current = child;
            created++;
            if (i % 3 == 0)
            {
                // Side branches, so the walk goes back up and down again.
                Assert.Equal(Error.None, table.Duplicate(current, Rights.Read, out _));
                created++;
            }
        }
        int total = 0;
        foreach (var t in tables) total += t.Count;
        Assert.Equal(created + 1, total);

        Assert.Equal(Error.None, tables[0].Revoke(root));
        total = 0;
        foreach (var t in tables) total += t.Count;
        Assert.Equal(1, total);
        Get(tables[0], root);
        AssertDead(table, current);
    }

    [Fact]
    public void Close_does_not_revoke_derived_handles()
    {
        var a = new HandleTable(8);
        var b = new HandleTable(8);
        Handle root = InsertRoot(a, "obj", ObjectType.MemoryObject, Rights.All);
        Assert.Equal(Error.None, a.Duplicate(root, Rights.All, out Handle middle));
        Assert.Equal(Error.None, HandleTable.Transfer(a, middle, b, Rights.Read | Rights.Map, false, out Handle given));
        Assert.Equal(Error.None, a.Duplicate(middle, Rights.Read, out Handle sibling));

        Assert.Equal(Error.None, a.Close(middle));
        AssertDead(a, middle);
        // What was derived from the closed capability survives and moves up to its parent...
        Capability rootCap = Get(a, root);
        Assert.Same(rootCap, Get(b, given).Parent);
        Assert.Same(rootCap, Get(a, sibling).Parent);
        int children = 0;
        for (Capability child = rootCap.FirstChild; child != null; child = child.NextSibling)
        {
            Assert.Same(rootCap, child.Parent);
            if (child.NextSibling != null) Assert.Same(child, child.NextSibling.PreviousSibling);
            children++;
        }
        Assert.Equal(2, children);
        Assert.Null(rootCap.FirstChild.PreviousSibling);

        // ...so revoking the parent still reaches it.
        Assert.Equal(Error.None, a.Revoke(root));
        AssertDead(b, given);
        AssertDead(a, sibling);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void Closing_a_root_makes_its_children_roots()
    {
        var a = new HandleTable(8);
        var b = new HandleTable(8);
        Handle root = InsertRoot(a, null, ObjectType.Process, Rights.All);
        Assert.Equal(Error.None, HandleTable.Transfer(a, root, b, Rights.Read | Rights.Revoke | Rights.Duplicate, false, out Handle one));
        Assert.Equal(Error.None, HandleTable.Transfer(a, root, b, Rights.Read, false, out Handle two));
        Assert.Equal(Error.None, b.Duplicate(one, Rights.Read, out Handle grandchild));
        Assert.Equal(Error.None, a.Close(root));
        Capability first = Get(b, one);
        Assert.Null(first.Parent);
        Assert.Null(first.PreviousSibling);
        Assert.Null(first.NextSibling);
        Assert.Null(Get(b, two).Parent);
        Assert.Same(first, Get(b, grandchild).Parent);
        Assert.Equal(Error.None, b.Revoke(one));
        AssertDead(b, grandchild);
        Get(b, two);
    }

    [Fact]
    public void Transfer_copy_derives_a_child_in_the_receiver()
    {
        var sender = new HandleTable(8);
        var receiver = new HandleTable(8);
        var obj = new object();
        Handle handle = InsertRoot(sender, obj, ObjectType.Endpoint, Rights.Read | Rights.Write | Rights.Grant | Rights.Revoke);
        Assert.Equal(Error.None, HandleTable.Transfer(sender, handle, receiver, Rights.Read, false, out Handle received));
        Capability copy = Get(receiver, received);
        Assert.Same(obj, copy.Object);
        Assert.Equal(Rights.Read, copy.Rights);
        Assert.Same(receiver, copy.Table);
        Assert.Same(Get(sender, handle), copy.Parent);
        Assert.Equal(1, sender.Count);
        Assert.Equal(1, receiver.Count);
        // The sender can take it back.
        Assert.Equal(Error.None, sender.Revoke(handle));
        AssertDead(receiver, received);
    }

    [Fact]
    public void Transfer_move_takes_it_from_the_sender_and_keeps_its_place_in_the_tree()
    {
        var kernel = new HandleTable(8);
        var sender = new HandleTable(8);
        var receiver = new HandleTable(8);
        var obj = new object();
        Handle root = InsertRoot(kernel, obj, ObjectType.MemoryObject, Rights.All);
        Assert.Equal(Error.None, HandleTable.Transfer(kernel, root, sender, Rights.All, false, out Handle held));
        Assert.Equal(Error.None, sender.Duplicate(held, Rights.Read, out Handle derived));

        Assert.Equal(Error.None, HandleTable.Transfer(sender, held, receiver, Rights.Read | Rights.Revoke | Rights.Grant, true, out Handle received));
        AssertDead(sender, held);
        Assert.Equal(1, sender.Count);                      // only 'derived' is left
        Capability moved = Get(receiver, received);
        Assert.Same(obj, moved.Object);
        Assert.Equal(Rights.Read | Rights.Revoke | Rights.Grant, moved.Rights);
        Assert.Same(Get(kernel, root), moved.Parent);
        Assert.Same(moved, Get(kernel, root).FirstChild);
        Assert.Same(moved, Get(sender, derived).Parent);

        // The receiver holds the sender's place: its revoke reaches what the sender derived before the move.
        Assert.Equal(Error.None, receiver.Revoke(received));
        AssertDead(sender, derived);
        // And the original owner's revoke still reaches the moved capability.
        Assert.Equal(Error.None, kernel.Revoke(root));
        AssertDead(receiver, received);
    }

    [Fact]
    public void Transfer_move_within_one_table_renames_the_handle()
    {
        var table = new HandleTable(4);
        Handle handle = InsertRoot(table, "x", ObjectType.Notification, Rights.Grant | Rights.Signal);
        Assert.Equal(Error.None, HandleTable.Transfer(table, handle, table, Rights.Signal, true, out Handle renamed));
        AssertDead(table, handle);
        Assert.Equal("x", Get(table, renamed).Object);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Transfer_without_grant_or_with_more_rights_fails_and_changes_nothing()
    {
        var sender = new HandleTable(8);
        var receiver = new HandleTable(8);
        Handle private_ = InsertRoot(sender, null, ObjectType.IoPortRange, Rights.All & ~Rights.Grant);
        Assert.Equal(Error.AccessDenied, HandleTable.Transfer(sender, private_, receiver, Rights.Read, false, out Handle received));
        Assert.True(received.IsInvalid);
        Assert.Equal(Error.AccessDenied, HandleTable.Transfer(sender, private_, receiver, Rights.Read, true, out _));
        Get(sender, private_);

        Handle grantable = InsertRoot(sender, null, ObjectType.IoPortRange, Rights.Read | Rights.Grant);
        Assert.Equal(Error.Invalid, HandleTable.Transfer(sender, grantable, receiver, Rights.Read | Rights.Write, false, out _));
        Assert.Equal(Error.Invalid, HandleTable.Transfer(sender, grantable, receiver, Rights.Write, true, out _));
        Get(sender, grantable);
        Assert.Equal(Error.BadHandle, HandleTable.Transfer(sender, Handle.Invalid, receiver, Rights.None, false, out _));
        Assert.Equal(Error.BadHandle, HandleTable.Transfer(sender, grantable, null, Rights.None, false, out _));
        Assert.Equal(2, sender.Count);
        Assert.Equal(0, receiver.Count);
    }

    [Fact]
    public void Transfer_into_a_full_table_fails_and_the_sender_keeps_it()
    {
        var sender = new HandleTable(4);
        var receiver = new HandleTable(1);
        InsertRoot(receiver, null, ObjectType.Thread, Rights.All);
        Handle handle = InsertRoot(sender, null, ObjectType.Thread, Rights.All);
        Assert.Equal(Error.OutOfMemory, HandleTable.Transfer(sender, handle, receiver, Rights.Read, true, out Handle received));
        Assert.True(received.IsInvalid);
        Assert.Equal(Error.OutOfMemory, HandleTable.Transfer(sender, handle, receiver, Rights.Read, false, out _));
        Assert.Null(Get(sender, handle).FirstChild);
        Assert.Equal(1, sender.Count);
        Assert.Equal(1, receiver.Count);
    }

    [Fact]
    public void Full_table_returns_table_full_and_stays_consistent()
    {
        var table = new HandleTable(5);
        var handles = new Handle[5];
        for (int i = 0; i < 5; i++)
            handles[i] = InsertRoot(table, i, ObjectType.Thread, Rights.All);
        Assert.Equal(Error.OutOfMemory, table.Insert(99, ObjectType.Thread, Rights.All, null, out Handle refused));
        Assert.True(refused.IsInvalid);
        Assert.Equal(Error.OutOfMemory, table.Duplicate(handles[0], Rights.Read, out _));
        Assert.Null(Get(table, handles[0]).FirstChild);          // the failed duplicate left no link behind
        Assert.Equal(5, table.Count);
        for (int i = 0; i < 5; i++)
            Assert.Equal(i, Get(table, handles[i]).Object);

        Assert.Equal(Error.None, table.Close(handles[3]));
        Assert.Equal(Error.None, table.Duplicate(handles[0], Rights.Read, out Handle duplicate));
        Assert.Equal(3, duplicate.Index);
        Assert.Equal(5, table.Count);
    }

    [Fact]
    public void A_slot_whose_generations_are_used_up_is_retired()
    {
        var table = new HandleTable(1);
        Handle first = InsertRoot(table, null, ObjectType.Thread, Rights.All);
        Handle last = first;
        for (uint generation = Handle.FirstGeneration; generation < Handle.MaxGeneration; generation++)
        {
            Assert.Equal(Error.None, table.Close(last));
            Assert.Equal(Error.None, table.Insert(null, ObjectType.Thread, Rights.All, null, out last));
        }
        Assert.Equal(Handle.MaxGeneration, last.Generation);
        Assert.Equal(Error.None, table.Close(last));
        Assert.Equal(1, table.Retired);
        Assert.Equal(Error.OutOfMemory, table.Insert(null, ObjectType.Thread, Rights.All, null, out _));
        AssertDead(table, last);
        AssertDead(table, first);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void TryGetAt_enumerates_live_capabilities()
    {
        var table = new HandleTable(8);
        var handles = new Handle[5];
        for (int i = 0; i < 5; i++)
            handles[i] = InsertRoot(table, i, ObjectType.MemoryObject, Rights.Read);
        table.Close(handles[1]);
        table.Close(handles[4]);
        var seen = new List<uint>();
        for (int i = -1; i <= table.Capacity; i++)
        {
            if (table.TryGetAt(i, out Handle handle, out Capability capability))
            {
                Assert.Equal(i, handle.Index);
                Assert.Same(capability, Get(table, handle));
                seen.Add(handle.Value);
            }
        }
        Assert.Equal(new[] { handles[0].Value, handles[2].Value, handles[3].Value }, seen.ToArray());
    }

    private static readonly List<object> s_freed = new();
    private static void RecordFree(object obj) => s_freed.Add(obj);

    [Fact]
    public unsafe void Destroy_hands_back_every_node_and_keeps_what_others_derived()
    {
        var dying = new HandleTable(8);
        var other = new HandleTable(8);
        Handle root = InsertRoot(dying, "obj", ObjectType.MemoryObject, Rights.All);
        Assert.Equal(Error.None, dying.Duplicate(root, Rights.All, out Handle middle));
        Assert.Equal(Error.None, HandleTable.Transfer(dying, middle, other, Rights.Read, false, out Handle given));
        Handle closed = InsertRoot(dying, null, ObjectType.Thread, Rights.All);
        dying.Close(closed);                                    // a free slot's node is handed back too

        lock (s_freed)
        {
            s_freed.Clear();
            dying.Destroy(&RecordFree);
            Assert.Equal(4, s_freed.Count);                     // three nodes and the slot array
            Assert.IsType<Capability[]>(s_freed[3]);
            s_freed.Clear();
        }
        Assert.Equal(0, dying.Count);
        Assert.Equal(0, dying.Capacity);
        AssertDead(dying, root);
        Assert.Equal(Error.OutOfMemory, dying.Insert(null, ObjectType.Thread, Rights.All, null, out _));
        Capability survivor = Get(other, given);
        Assert.Null(survivor.Parent);
        Assert.Equal("obj", survivor.Object);
    }

    [Fact]
    public void CloseAll_empties_the_table()
    {
        var table = new HandleTable(8);
        Handle root = InsertRoot(table, null, ObjectType.Process, Rights.All);
        for (int i = 0; i < 5; i++)
            Assert.Equal(Error.None, table.Duplicate(root, Rights.All, out root));
        table.CloseAll();
        Assert.Equal(0, table.Count);
        for (int i = 0; i < table.Capacity; i++)
            Assert.False(table.TryGetAt(i, out _, out _));
        InsertRoot(table, null, ObjectType.Process, Rights.All);
    }

    [Fact]
    public void Every_error_has_a_description()
    {
        var seen = new HashSet<string>();
        foreach (Error error in Enum.GetValues<Error>())
        {
            string text = Errors.Describe(error);
            Assert.False(string.IsNullOrEmpty(text));
            Assert.True(seen.Add(text));
        }
    }

    // ---- Randomized test against a reference model ----

    private sealed class ModelCap
    {
        public int Table;
        public Handle Handle;
        public object Object;
        public ObjectType Type;
        public Rights Rights;
        public ModelCap Parent;
        public bool Live;
    }

    private sealed class Model
    {
        public readonly HandleTable[] Tables;
        public readonly int[] Capacities;
        public readonly List<ModelCap> All = new();
        public readonly List<ModelCap> Live = new();

        public Model(int[] capacities)
        {
            Capacities = capacities;
            Tables = new HandleTable[capacities.Length];
            for (int i = 0; i < capacities.Length; i++)
                Tables[i] = new HandleTable(capacities[i]);
        }

        public int LiveIn(int table)
        {
            int count = 0;
            foreach (var cap in Live) if (cap.Table == table) count++;
            return count;
        }

        public ModelCap Add(int table, Handle handle, object obj, ObjectType type, Rights rights, ModelCap parent)
        {
            var cap = new ModelCap { Table = table, Handle = handle, Object = obj, Type = type, Rights = rights, Parent = parent, Live = true };
            All.Add(cap);
            Live.Add(cap);
            return cap;
        }

        public void Kill(ModelCap cap)
        {
            cap.Live = false;
            Live.Remove(cap);
        }

        public bool IsDescendant(ModelCap cap, ModelCap ancestor)
        {
            for (ModelCap p = cap.Parent; p != null; p = p.Parent)
                if (p == ancestor) return true;
            return false;
        }
    }

    private static Rights RandomRights(Random random) => (Rights)(uint)random.Next(1 << 10);

    private static Rights RandomRequest(Random random, Rights held)
        => random.Next(5) == 0 ? RandomRights(random) : held & RandomRights(random);

    [Fact]
    public void Randomized_operations_match_a_reference_model()
    {
        var random = new Random(2024);
        var model = new Model(new[] { 12, 20, 7, 30 });
        var types = new[] { ObjectType.Process, ObjectType.Thread, ObjectType.MemoryObject, ObjectType.Endpoint,
                            ObjectType.Notification, ObjectType.Interrupt, ObjectType.IoPortRange, ObjectType.PhysicalRange };
        int objectCounter = 0;

        for (int step = 0; step < 30000; step++)
        {
            // Pick a capability, live or (sometimes) long dead.
            ModelCap target = null;
            if (model.Live.Count > 0 && random.Next(5) != 0)
                target = model.Live[random.Next(model.Live.Count)];
            else if (model.All.Count > 0)
                target = model.All[random.Next(model.All.Count)];

            int op = random.Next(7);
            if (op == 0 || target == null)
            {
                int t = random.Next(model.Tables.Length);
                ObjectType type = types[random.Next(types.Length)];
                Rights rights = random.Next(3) == 0 ? RandomRights(random) : Rights.All;
                object obj = objectCounter++;
                Error expected = model.LiveIn(t) == model.Capacities[t] ? Error.OutOfMemory : Error.None;
                Assert.Equal(expected, model.Tables[t].Insert(obj, type, rights, null, out Handle handle));
                if (expected == Error.None)
                    model.Add(t, handle, obj, type, rights, null);
                else
                    Assert.True(handle.IsInvalid);
                continue;
            }

            HandleTable table = model.Tables[target.Table];
            switch (op)
            {
                case 1:
                {
                    Rights rights = RandomRequest(random, target.Rights);
                    Error expected =
                        !target.Live ? Error.BadHandle :
                        (target.Rights & Rights.Duplicate) == 0 ? Error.AccessDenied :
                        (rights & ~target.Rights) != 0 ? Error.Invalid :
                        model.LiveIn(target.Table) == model.Capacities[target.Table] ? Error.OutOfMemory :
                        Error.None;
                    Assert.Equal(expected, table.Duplicate(target.Handle, rights, out Handle duplicate));
                    if (expected == Error.None)
                        model.Add(target.Table, duplicate, target.Object, target.Type, rights, target);
                    break;
                }
                case 2:
                {
                    Error expected = target.Live ? Error.None : Error.BadHandle;
                    Assert.Equal(expected, table.Close(target.Handle));
                    if (expected == Error.None)
                    {
                        foreach (var cap in model.Live)
                            if (cap.Parent == target) cap.Parent = target.Parent;
                        model.Kill(target);
                    }
                    break;
                }
                case 3:
                case 4:
                {
                    int to = random.Next(model.Tables.Length);
                    bool move = op == 4;
                    Rights rights = RandomRequest(random, target.Rights);
                    Error expected =
                        !target.Live ? Error.BadHandle :
                        (target.Rights & Rights.Grant) == 0 ? Error.AccessDenied :
                        (rights & ~target.Rights) != 0 ? Error.Invalid :
                        model.LiveIn(to) == model.Capacities[to] ? Error.OutOfMemory :
                        Error.None;
                    Assert.Equal(expected, HandleTable.Transfer(table, target.Handle, model.Tables[to], rights, move, out Handle received));
                    if (expected != Error.None)
                    {
                        Assert.True(received.IsInvalid);
                        break;
                    }
                    if (!move)
                    {
                        model.Add(to, received, target.Object, target.Type, rights, target);
                        break;
                    }
                    ModelCap moved = model.Add(to, received, target.Object, target.Type, rights, target.Parent);
                    foreach (var cap in model.Live)
                        if (cap.Parent == target) cap.Parent = moved;
                    model.Kill(target);
                    break;
                }
                case 5:
                {
                    Error expected =
                        !target.Live ? Error.BadHandle :
                        (target.Rights & Rights.Revoke) == 0 ? Error.AccessDenied :
                        Error.None;
                    Assert.Equal(expected, table.Revoke(target.Handle));
                    if (expected == Error.None)
                    {
                        var doomed = new List<ModelCap>();
                        foreach (var cap in model.Live)
                            if (model.IsDescendant(cap, target)) doomed.Add(cap);
                        foreach (var cap in doomed) model.Kill(cap);
                    }
                    break;
                }
                default:
                {
                    ObjectType type = random.Next(2) == 0 ? ObjectType.None : types[random.Next(types.Length)];
                    Rights required = RandomRequest(random, target.Rights);
                    Error expected =
                        !target.Live ? Error.BadHandle :
                        type != ObjectType.None && type != target.Type ? Error.BadHandle :
                        (target.Rights & required) != required ? Error.AccessDenied :
                        Error.None;
                    Assert.Equal(expected, table.Lookup(target.Handle, type, required, out Capability found));
                    Assert.Equal(expected == Error.None, found != null);
                    // And a forged value in the same table.
                    var forged = new Handle((uint)random.NextInt64(0, 1L << 32));
                    bool matchesLive = false;
                    foreach (var cap in model.Live)
                        if (cap.Table == target.Table && cap.Handle.Value == forged.Value) matchesLive = true;
                    Assert.Equal(matchesLive ? Error.None : Error.BadHandle,
                                 table.Lookup(forged, ObjectType.None, Rights.None, out _));
                    break;
                }
            }

            CheckLive(model);
            if (step % 500 == 0)
                CheckDead(model);
        }
        CheckDead(model);
    }

    // Counts, enumeration, every live handle looks up with the model's object, type, rights and tree links.
    private static void CheckLive(Model model)
    {
        var byNode = new Dictionary<Capability, ModelCap>();
        foreach (var cap in model.Live)
        {
            HandleTable table = model.Tables[cap.Table];
            Assert.Equal(Error.None, table.Lookup(cap.Handle, cap.Type, cap.Rights, out Capability node));
            Assert.Same(cap.Object, node.Object);
            Assert.Equal(cap.Rights, node.Rights);
            Assert.Same(table, node.Table);
            byNode.Add(node, cap);
        }
        for (int t = 0; t < model.Tables.Length; t++)
        {
            HandleTable table = model.Tables[t];
            Assert.Equal(model.LiveIn(t), table.Count);
            int enumerated = 0;
            for (int i = 0; i < table.Capacity; i++)
                if (table.TryGetAt(i, out _, out _)) enumerated++;
            Assert.Equal(table.Count, enumerated);
        }
        foreach (var pair in byNode)
        {
            Capability node = pair.Key;
            ModelCap cap = pair.Value;
            if (cap.Parent == null)
            {
                Assert.Null(node.Parent);
                Assert.Null(node.PreviousSibling);
                Assert.Null(node.NextSibling);
            }
            else
            {
                Assert.Same(cap.Parent, byNode[node.Parent]);
            }
            int children = 0;
            Capability previous = null;
            for (Capability child = node.FirstChild; child != null; child = child.NextSibling)
            {
                Assert.Same(node, child.Parent);
                Assert.Same(previous, child.PreviousSibling);
                Assert.Same(cap, byNode[child].Parent);
                previous = child;
                children++;
            }
            int expectedChildren = 0;
            foreach (var other in model.Live) if (other.Parent == cap) expectedChildren++;
            Assert.Equal(expectedChildren, children);
        }
    }

    private static void CheckDead(Model model)
    {
        foreach (var cap in model.All)
            if (!cap.Live)
                AssertDead(model.Tables[cap.Table], cap.Handle);
    }
}

using Xunit;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Services;

namespace Exo.Std.HostTests;

/// <summary>The name service's pure parts: names packed into message words, and the registry's rules.</summary>
public sealed class NameServiceTests
{
    private static ServiceName Name(string text)
    {
        Assert.True(ServiceName.TryCreate(text, out var name), $"'{text}' should be a valid name");
        return name;
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("a")]
    [InlineData("exactly-24-characters-xx")]
    public void A_name_survives_the_trip_through_three_words(string text)
    {
        var name = Name(text);
        Assert.True(ServiceName.TryFromWords(name.Part0, name.Part1, name.Part2, out var received));
        Assert.True(received.Equals(name));
        Assert.Equal(text.Length, received.Length);
        for (int i = 0; i < text.Length; i++)
            Assert.Equal((byte)text[i], received.ByteAt(i));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("twenty-five-characters-xx")]
    [InlineData("tab\there")]
    [InlineData("caf\u00e9")]
    public void Bad_names_are_refused(string text) => Assert.False(ServiceName.TryCreate(text, out _));

    [Theory]
    [InlineData(0UL, 0UL, 0UL)]                       // empty
    [InlineData(0x20UL, 0UL, 0UL)]                    // a space
    [InlineData(0x41UL, 0x41UL, 0UL)]                 // bytes after the first zero
    [InlineData(0x0041UL | (0x42UL << 16), 0UL, 0UL)] // a gap inside the first word
    [InlineData(0x7FUL, 0UL, 0UL)]                    // DEL
    public void Malformed_words_are_not_a_name(ulong part0, ulong part1, ulong part2)
        => Assert.False(ServiceName.TryFromWords(part0, part1, part2, out _));

    [Fact]
    public void Lookup_finds_what_was_registered_and_nothing_else()
    {
        var registry = new NameRegistry();
        Assert.Equal(Error.None, registry.Register(Name("echo"), 5, owner: 1, out uint replaced));
        Assert.Equal(0u, replaced);
        Assert.True(registry.TryLookup(Name("echo"), out uint handle));
        Assert.Equal(5u, handle);
        Assert.False(registry.TryLookup(Name("echo2"), out _));
        Assert.False(registry.TryLookup(Name("ech"), out _));
    }

    [Fact]
    public void The_registrant_rebinds_a_name_and_gets_the_old_handle_back_to_close()
    {
        var registry = new NameRegistry();
        registry.Register(Name("echo"), 5, owner: 1, out _);
        Assert.Equal(Error.None, registry.Register(Name("echo"), 9, owner: 1, out uint replaced));
        Assert.Equal(5u, replaced);
        Assert.True(registry.TryLookup(Name("echo"), out uint handle));
        Assert.Equal(9u, handle);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public void Another_process_cannot_take_or_remove_a_name()
    {
        var registry = new NameRegistry();
        registry.Register(Name("echo"), 5, owner: 1, out _);
        Assert.Equal(Error.AlreadyExists, registry.Register(Name("echo"), 7, owner: 2, out uint replaced));
        Assert.Equal(0u, replaced);
        Assert.Equal(Error.AccessDenied, registry.Remove(Name("echo"), owner: 2, out _));
        Assert.True(registry.TryLookup(Name("echo"), out uint handle));
        Assert.Equal(5u, handle);
    }

    [Fact]
    public void Remove_unbinds_and_keeps_the_others()
    {
        var registry = new NameRegistry();
        registry.Register(Name("a"), 1, owner: 1, out _);
        registry.Register(Name("b"), 2, owner: 1, out _);
        registry.Register(Name("c"), 3, owner: 1, out _);
        Assert.Equal(Error.None, registry.Remove(Name("a"), owner: 1, out uint removed));
        Assert.Equal(1u, removed);
        Assert.Equal(Error.NotFound, registry.Remove(Name("a"), owner: 1, out _));
        Assert.True(registry.TryLookup(Name("b"), out uint b) && b == 2);
        Assert.True(registry.TryLookup(Name("c"), out uint c) && c == 3);
    }

    [Fact]
    public void A_full_registry_says_so_and_keeps_what_it_has()
    {
        var registry = new NameRegistry();
        for (int i = 0; i < NameRegistry.Capacity; i++)
            Assert.Equal(Error.None, registry.Register(Name($"s{i}"), (uint)(i + 1), owner: 1, out _));
        Assert.Equal(Error.OutOfMemory, registry.Register(Name("one-more"), 99, owner: 1, out _));
        Assert.True(registry.TryLookup(Name("s31"), out uint last) && last == 32);
        Assert.Equal(Error.Invalid, registry.Register(default, 1, owner: 1, out _));
        Assert.Equal(Error.Invalid, registry.Register(Name("zero-handle"), 0, owner: 1, out _));
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Exo.Abi;
using Xunit;

/// <summary>
/// The assembly programs' ABI (out/generated/exo-abi.inc) is generated from libs/Exo.Abi by
/// tools/scripts/generate-native-abi.sh: run it and compare every %define with the C# value it stands for.
/// </summary>
public class NativeAbiGeneratorTests
{
    private static readonly (Type Type, string Prefix, bool Negated)[] s_enums =
    {
        (typeof(SystemCallNumber), "SYS_", false),
        (typeof(Error), "ERROR_", true),
        (typeof(Rights), "RIGHT_", false),
        (typeof(ObjectType), "TYPE_", false),
        (typeof(ResourceKind), "RESOURCE_", false),
        (typeof(FramebufferField), "FRAMEBUFFER_", false),
    };

    [Fact]
    public void Generated_defines_match_the_CSharp_definition()
    {
        Dictionary<string, long> generated = Evaluate(Generate());
        var expected = new Dictionary<string, long>();
        foreach ((Type type, string prefix, bool negated) in s_enums)
            foreach (object value in Enum.GetValues(type))
            {
                long number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                expected.Add(prefix + Snake(Enum.GetName(type, value)), negated ? -number : number);
            }
        foreach (FieldInfo field in typeof(Constants).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
            expected.Add(Snake(field.Name), Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture));

        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), generated.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach ((string name, long value) in expected)
            Assert.True(generated[name] == value, $"{name}: generated {generated[name]}, C# {value}");
        Assert.Equal(-9, generated["ERROR_BAD_HANDLE"]);                 // spot checks of the naming
        Assert.Equal(63, generated["SYS_INTERRUPT_ACKNOWLEDGE"]);
        Assert.Equal(7, generated["TYPE_IO_PORT_RANGE"]);
    }

    [Fact]
    public void Every_ABI_enum_is_generated()
    {
        IEnumerable<Type> abiEnums = typeof(Error).Assembly.GetTypes().Where(t => t.IsEnum && t.Namespace == "Exo.Abi");
        Assert.Equal(s_enums.Select(e => e.Type.Name).OrderBy(n => n), abiEnums.Select(t => t.Name).OrderBy(n => n));
    }

    [Fact]
    public void System_call_numbers_and_errors_are_distinct()
    {
        Assert.Equal(Enum.GetValues<SystemCallNumber>().Length, Enum.GetValues<SystemCallNumber>().Distinct().Count());
        Assert.Equal(Enum.GetValues<Error>().Length, Enum.GetValues<Error>().Distinct().Count());
        var descriptions = new HashSet<string>();
        foreach (Error error in Enum.GetValues<Error>())
            Assert.True(descriptions.Add(Errors.Describe(error)), $"{error} has a description of its own");
    }

    private static string Snake(string name)
        => Regex.Replace(name, "(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_").ToUpperInvariant();

    private static string Generate()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "tools/scripts/generate-native-abi.sh")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        string output = Path.Combine(Path.GetTempPath(), $"exo-abi-{Guid.NewGuid():N}.inc");
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(root, "tools/scripts/generate-native-abi.sh"));
            start.ArgumentList.Add(output);
            using Process process = Process.Start(start)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "the generator failed: " + errors);
            return File.ReadAllText(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    // '%define NAME VALUE ; comment' lines: VALUE is a number (decimal, hex, negative) or (A | B | ...) of names above.
    private static Dictionary<string, long> Evaluate(string text)
    {
        var values = new Dictionary<string, long>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Split(';')[0].Trim();
            if (line.Length == 0)
                continue;
            Match match = Regex.Match(line, @"^%define\s+([A-Z0-9_]+)\s+(.+)$");
            Assert.True(match.Success, "not a define: " + raw);
            string expression = match.Groups[2].Value.Trim();
            long value = 0;
            if (expression.StartsWith('(') && expression.EndsWith(')'))
                foreach (string name in expression[1..^1].Split('|'))
                    value |= values[name.Trim()];
            else
                value = Number(expression);
            Assert.True(values.TryAdd(match.Groups[1].Value, value), "defined twice: " + match.Groups[1].Value);
        }
        return values;
    }

    private static long Number(string text)
    {
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        long value = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(digits, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }
}

using Exo.FontAtlas;

// Usage: Exo.FontAtlas OUTPUT-DIRECTORY FONT.ttf:NAME:SIZE[,SIZE...] ...
// e.g. Exo.FontAtlas out/fonts DejaVuSans.ttf:sans:11,13,16,24 DejaVuSansMono.ttf:mono:13,16
// writes OUTPUT-DIRECTORY/NAME-SIZE.atlas for each size (docs/desktop.md, "Fonts").
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Exo.FontAtlas OUTPUT-DIRECTORY FONT.ttf:NAME:SIZE[,SIZE...] ...");
    return 2;
}
string output = args[0];
Directory.CreateDirectory(output);
foreach (string specification in args[1..])
{
    string[] parts = specification.Split(':');
    if (parts.Length != 3)
    {
        Console.Error.WriteLine($"Exo.FontAtlas: '{specification}': expected FONT.ttf:NAME:SIZES");
        return 2;
    }
    try
    {
        var font = new TrueTypeFont(File.ReadAllBytes(parts[0]), Path.GetFileName(parts[0]));
        foreach (string size in parts[2].Split(','))
        {
            byte[] atlas = AtlasBuilder.Build(font, parts[1], int.Parse(size), AtlasBuilder.DefaultCharacters);
            string path = Path.Combine(output, $"{parts[1]}-{size}.atlas");
            File.WriteAllBytes(path, atlas);
            Console.WriteLine($"Exo.FontAtlas: {path} ({atlas.Length} bytes)");
        }
    }
    catch (FontFormatException problem)
    {
        Console.Error.WriteLine($"Exo.FontAtlas: {parts[0]}: {problem.Message}");
        return 1;
    }
}
return 0;

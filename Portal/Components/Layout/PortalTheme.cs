using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Utilities;

namespace Portal.Components.Layout;

/// <summary>
/// The one look of every page: the site's primary colour (<c>Portal:PrimaryColor</c>) in light and
/// dark, and the system's own fonts (nothing is loaded from another origin).
/// </summary>
public sealed class PortalTheme(IOptions<PortalOptions> options)
{
    /// <summary>The cookie that keeps a person's choice of light or dark; without it the system's setting counts.</summary>
    public const string Cookie = "portal-theme";

    private static readonly string[] SystemFonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public MudTheme Theme { get; } = Build(options.Value.PrimaryColor);

    /// <summary>The saved choice: true for dark, false for light, null to follow the system.</summary>
    public static bool? Saved(string? cookie) => cookie switch
    {
        "dark" => true,
        "light" => false,
        _ => null,
    };

    private static MudTheme Build(string primary)
    {
        var colour = new MudColor(primary);
        var theme = new MudTheme
        {
            PaletteLight = new PaletteLight
            {
                Primary = colour,
                AppbarBackground = colour,
                Background = "#f4f4f7",
                DrawerBackground = "#ffffff",
                // Readable on the page's grey (at least 4.5:1), and the status colours as text on
                // white, on their own light tint (a chip) and under white text (a filled button).
                TextSecondary = "#5c5c68",
                Info = "#1565c0",
                Success = "#1b5e20",
                Warning = "#9a4d00",
                Error = "#c62828",
            },
            PaletteDark = new PaletteDark
            {
                // Lighter in the dark, so text in the colour stays readable on a dark surface, and
                // dark text on it where it is a background (a button).
                Primary = colour.ColorLighten(0.25),
                PrimaryContrastText = "#14142b",
                AppbarBackground = "#1f1f2b",
                TextSecondary = "rgba(255,255,255,0.72)",
                // Light tones, readable on the dark surfaces, with dark text where they fill.
                Info = "#90caf9",
                InfoContrastText = "#14142b",
                Success = "#a5d6a7",
                SuccessContrastText = "#14142b",
                Warning = "#ffb74d",
                WarningContrastText = "#14142b",
                Error = "#ef9a9a",
                ErrorContrastText = "#14142b",
            },
        };
        BaseTypography[] typographies =
        [
            theme.Typography.Default, theme.Typography.H1, theme.Typography.H2, theme.Typography.H3, theme.Typography.H4,
            theme.Typography.H5, theme.Typography.H6, theme.Typography.Subtitle1, theme.Typography.Subtitle2,
            theme.Typography.Body1, theme.Typography.Body2, theme.Typography.Button, theme.Typography.Caption, theme.Typography.Overline,
        ];
        foreach (var typography in typographies)
        {
            typography.FontFamily = SystemFonts;
        }
        theme.Typography.Button.TextTransform = "none";
        return theme;
    }
}

namespace Portal.Components.Shared;

/// <summary>An entry of a drop-down list: what it shows and what it stands for.</summary>
public sealed record Choice<T>(string Text, T Value);

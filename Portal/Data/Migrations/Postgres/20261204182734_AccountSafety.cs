using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccountSafety : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RevertHash",
                table: "DeferredChanges",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevertUntil",
                table: "DeferredChanges",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CodeEntryLockedUntil",
                table: "AspNetUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WrongCodes",
                table: "AspNetUsers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ChangeSends",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ChangeId = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TargetId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeSends", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MailSuppressions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Address = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MailSuppressions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeferredChanges_RevertHash",
                table: "DeferredChanges",
                column: "RevertHash",
                unique: true,
                filter: "\"RevertHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSends_ChangeId_SentAt",
                table: "ChangeSends",
                columns: new[] { "ChangeId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSends_SentAt",
                table: "ChangeSends",
                column: "SentAt");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSends_TargetId_SentAt",
                table: "ChangeSends",
                columns: new[] { "TargetId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MailSuppressions_Address",
                table: "MailSuppressions",
                column: "Address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MailSuppressions_CreatedAt",
                table: "MailSuppressions",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChangeSends");

            migrationBuilder.DropTable(
                name: "MailSuppressions");

            migrationBuilder.DropIndex(
                name: "IX_DeferredChanges_RevertHash",
                table: "DeferredChanges");

            migrationBuilder.DropColumn(
                name: "RevertHash",
                table: "DeferredChanges");

            migrationBuilder.DropColumn(
                name: "RevertUntil",
                table: "DeferredChanges");

            migrationBuilder.DropColumn(
                name: "CodeEntryLockedUntil",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "WrongCodes",
                table: "AspNetUsers");
        }
    }
}
